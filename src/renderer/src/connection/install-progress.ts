/**
 * Install progress as the InstallerAgent reports it on MQTT. The exact field names vary between
 * publishers (package/packages/recipe, status/stage/state, progress/percent), so this reads the
 * common spellings and normalises them; anything without a status or message is not progress.
 */
import { z } from 'zod';

// Publishers send null for "none" (the installer's `agent: null`), so every field is nullish.
const text = z.string().nullish().transform((v) => v ?? undefined);
const num = z.number().nullish().transform((v) => v ?? undefined);
const installPayload = z.looseObject({
  id: text,
  job_id: text,
  recipe: text,
  agent: text,
  name: text,
  package: text,
  packages: z.array(z.string()).nullish().transform((v) => v ?? undefined),
  status: text,
  stage: text,
  state: text,
  phase: text,
  progress: num,
  percent: num,
  message: text,
  error: text,
  timestamp: num,
});

/** `approval`: the packages are not on the user's allowlist; nothing installs until approved. */
export type InstallStatus = 'pending' | 'running' | 'done' | 'failed' | 'approval';

export interface InstallEvent {
  /** Groups events of one install job. */
  key: string;
  recipe?: string;
  /** The agent the packages are for. */
  agent?: string;
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
  if (/approv/.test(v)) return 'approval';
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
  const recipe = p.recipe ?? p.name;
  const key = p.job_id ?? p.id ?? recipe ?? p.agent ?? (packages.length > 0 ? packages.join(',') : topic);
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
  if (p.agent !== undefined) ev.agent = p.agent;
  if (progress !== undefined) ev.progress = progress;
  return ev;
}
