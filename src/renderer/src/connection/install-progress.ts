/**
 * Install progress as the InstallerAgent reports it on MQTT. The exact field names vary between
 * publishers (package/packages/recipe, status/stage/state, progress/percent), so this reads the
 * common spellings and normalises them; anything without a status or message is not progress.
 */
import { z } from 'zod';

const installPayload = z.looseObject({
  id: z.string().optional(),
  job_id: z.string().optional(),
  recipe: z.string().optional(),
  agent: z.string().optional(),
  name: z.string().optional(),
  package: z.string().optional(),
  packages: z.array(z.string()).optional(),
  status: z.string().optional(),
  stage: z.string().optional(),
  state: z.string().optional(),
  phase: z.string().optional(),
  progress: z.number().optional(),
  percent: z.number().optional(),
  message: z.string().optional(),
  error: z.string().optional(),
  timestamp: z.number().optional(),
});

export type InstallStatus = 'pending' | 'running' | 'done' | 'failed';

export interface InstallEvent {
  /** Groups events of one install job. */
  key: string;
  recipe?: string;
  packages: string[];
  status: InstallStatus;
  /** 0..1, when the publisher reports it. */
  progress?: number;
  message: string;
  timestamp: number;
  topic: string;
}

function normaliseStatus(s: string | undefined, hasError: boolean): InstallStatus {
  const v = (s ?? '').toLowerCase();
  if (hasError || /fail|error|denied|refused|rejected/.test(v)) return 'failed';
  if (/done|complete|success|installed|finished|ok|ready|spawned/.test(v)) return 'done';
  if (/queue|pending|wait|approval/.test(v)) return 'pending';
  return 'running';
}

export function toInstallEvent(topic: string, json: unknown, nowSeconds: number): InstallEvent | null {
  const r = installPayload.safeParse(json);
  if (!r.success) return null;
  const p = r.data;
  const statusText = p.status ?? p.stage ?? p.state ?? p.phase;
  if (statusText === undefined && p.message === undefined && p.error === undefined) return null;
  const packages = p.packages ?? (p.package ? [p.package] : []);
  const recipe = p.recipe ?? p.agent ?? p.name;
  const key = p.job_id ?? p.id ?? recipe ?? (packages.length > 0 ? packages.join(',') : topic);
  // `progress` is a fraction (some publishers send 0–100 there too); `percent` is 0–100.
  let progress = p.percent !== undefined ? p.percent / 100 : p.progress !== undefined && p.progress > 1 ? p.progress / 100 : p.progress;
  if (progress !== undefined) progress = Math.min(1, Math.max(0, progress));
  const ev: InstallEvent = {
    key,
    packages,
    status: normaliseStatus(statusText, p.error !== undefined),
    message: p.error ?? p.message ?? statusText ?? '',
    timestamp: p.timestamp ?? nowSeconds,
    topic,
  };
  if (recipe !== undefined) ev.recipe = recipe;
  if (progress !== undefined) ev.progress = progress;
  return ev;
}
