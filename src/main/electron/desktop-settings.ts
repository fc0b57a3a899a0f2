/**
 * The desktop app's settings file (`<userData>/settings.json`): what the hub is started with, no
 * secrets (those live in the SecretStore). Read leniently — a missing or broken file gives the
 * defaults and a warning, never a dead app — and written atomically.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { DesktopSettings, DesktopSettingsPatch } from '../../shared/desktop-api.js';
import { writeAtomically } from './atomic-write.js';

const port = z.number().int().min(0).max(65535);
const optionalText = z.string().trim().min(1).max(2048).optional();

export const DESKTOP_LLM_PROVIDERS = ['auto', 'anthropic', 'openai', 'ollama', 'nim', 'gemini', 'none'] as const;

const httpUrl = z.url({ protocol: /^https?$/ });
const llmProvider = z.enum(DESKTOP_LLM_PROVIDERS);

/** Top-level fields without defaults: the patch schema must not fill in what the user did not send. */
const hubFields = {
  homeAssistantUrl: httpUrl.optional(),
  serveOtherDevices: z.boolean(),
  host: z.string().trim().min(1).max(255),
  monitorPort: port,
  mqttPort: port,
  mqttBroker: optionalText,
  mqttUsername: optionalText,
  redisUrl: z.url({ protocol: /^rediss?$/ }).optional(),
};

export const desktopSettingsSchema = z.object({
  llm: z
    .object({ provider: llmProvider.default('auto'), model: optionalText, baseUrl: httpUrl.optional() })
    .default({ provider: 'auto' }),
  ...hubFields,
  serveOtherDevices: hubFields.serveOtherDevices.default(true),
  host: hubFields.host.default('127.0.0.1'),
  monitorPort: port.default(8888),
  mqttPort: port.default(1883),
  notifications: z
    .object({ alerts: z.boolean().default(true), jobs: z.boolean().default(true) })
    .default({ alerts: true, jobs: true }),
});

// The schema and the shared type must describe the same object.
type _SameShape = [z.infer<typeof desktopSettingsSchema>] extends [DesktopSettings]
  ? [DesktopSettings] extends [z.infer<typeof desktopSettingsSchema>]
    ? true
    : never
  : never;
const _sameShape: _SameShape = true;
void _sameShape;

export const desktopSettingsPatchSchema = z
  .object({
    ...hubFields,
    llm: z.object({ provider: llmProvider, model: optionalText, baseUrl: httpUrl.optional() }).partial().strict(),
    notifications: z.object({ alerts: z.boolean(), jobs: z.boolean() }).partial().strict(),
  })
  .partial()
  .strict();

export function defaultSettings(): DesktopSettings {
  return desktopSettingsSchema.parse({});
}

export interface LoadedSettings {
  settings: DesktopSettings;
  /** Why the file was not used as it is (shown once in the log), or undefined. */
  warning?: string;
}

export async function loadSettings(file: string): Promise<LoadedSettings> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { settings: defaultSettings() };
    return { settings: defaultSettings(), warning: `cannot read ${file} (${(e as Error).message}); using the defaults` };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    return { settings: defaultSettings(), warning: `${file} is not JSON (${(e as Error).message}); using the defaults` };
  }
  const r = desktopSettingsSchema.safeParse(json);
  if (!r.success) return { settings: defaultSettings(), warning: `${file} is not valid (${z.prettifyError(r.error)}); using the defaults` };
  return { settings: r.data };
}

export async function saveSettings(file: string, settings: DesktopSettings): Promise<void> {
  await writeAtomically(file, `${JSON.stringify(desktopSettingsSchema.parse(settings), null, 2)}\n`);
}

/**
 * The settings after `patch`. Throws a ZodError for an invalid patch. An empty string for an
 * optional text field clears it (the page's way to say "unset").
 */
export function applySettingsPatch(current: DesktopSettings, patch: DesktopSettingsPatch): DesktopSettings {
  const p = desktopSettingsPatchSchema.parse(clearEmpty(patch));
  const next = {
    ...current,
    ...p,
    llm: { ...current.llm, ...p.llm },
    notifications: { ...current.notifications, ...p.notifications },
  };
  return desktopSettingsSchema.parse(dropUndefined(next));
}

/** True when the hub must restart to apply the change (everything except notification preferences). */
export function needsHubRestart(before: DesktopSettings, after: DesktopSettings): boolean {
  const strip = (s: DesktopSettings): unknown => ({ ...s, notifications: undefined });
  return JSON.stringify(strip(before)) !== JSON.stringify(strip(after));
}

const CLEARABLE = new Set(['model', 'baseUrl', 'homeAssistantUrl', 'mqttBroker', 'mqttUsername', 'redisUrl']);

function clearEmpty(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = CLEARABLE.has(k) && v === '' ? undefined : clearEmpty(v);
  }
  return out;
}

function dropUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The current settings and their file: updates are validated, saved, then reported. */
export class SettingsStore {
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private current: DesktopSettings,
  ) {}

  get(): DesktopSettings {
    return structuredClone(this.current);
  }

  /** Applies `patch` (throws on an invalid one, changing nothing) and saves; resolves with before and after. */
  update(patch: DesktopSettingsPatch): Promise<{ before: DesktopSettings; after: DesktopSettings }> {
    const run = async (): Promise<{ before: DesktopSettings; after: DesktopSettings }> => {
      const before = this.current;
      const after = applySettingsPatch(before, patch);
      await saveSettings(this.file, after);
      this.current = after;
      return { before: structuredClone(before), after: structuredClone(after) };
    };
    const done = this.writing.then(run, run);
    this.writing = done.catch(() => undefined);
    return done;
  }
}
