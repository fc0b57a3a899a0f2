/**
 * Upgrade: before the secret store, the dashboard's settings kept their secrets in
 * `<stateDir>/secrets.json` as `{llmApiKey, haToken, mqttPassword}`. That file is imported into
 * the store (`settings.*` names) and removed. Crash-safe: the old file is first renamed to
 * `secrets.json.legacy`, imported, then deleted — a start that finds `.legacy` imports it again.
 * A file that is neither format is left for the store to refuse (with what to do).
 */
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { SecretStore } from './secret-store.js';

export const HUB_SECRETS_FILE = 'secrets.json';

/** The store's names for the settings' secrets. */
export const SETTINGS_SECRET_NAMES = {
  llmApiKey: 'settings.llm_api_key',
  haToken: 'settings.home_assistant_token',
  mqttPassword: 'settings.mqtt_password',
} as const;

const legacySchema = z.strictObject({ llmApiKey: z.string().optional(), haToken: z.string().optional(), mqttPassword: z.string().optional() });

type Log = (level: 'info' | 'warning', message: string) => void;

/** Imports the old flat file if there is one; returns how many secrets were imported. */
export async function importLegacySettingsSecrets(stateDir: string, store: SecretStore, log: Log = () => {}): Promise<number> {
  const file = join(stateDir, HUB_SECRETS_FILE);
  const held = `${file}.legacy`;
  if (!existsSync(held)) {
    if (!existsSync(file) || !legacySchema.safeParse(readJson(file)).success) return 0;
    renameSync(file, held);
  }
  const parsed = legacySchema.safeParse(readJson(held));
  if (!parsed.success) {
    log('warning', `${held} is not a settings secrets file; left as it is`);
    return 0;
  }
  const changes: Record<string, string> = {};
  for (const [k, name] of Object.entries(SETTINGS_SECRET_NAMES)) {
    const v = parsed.data[k as keyof typeof SETTINGS_SECRET_NAMES];
    if (v) changes[name] = v;
  }
  await store.update(changes);
  rmSync(held, { force: true });
  log('info', `secrets: moved ${Object.keys(changes).length} saved setting secret(s) into the ${store.kind === 'keychain' ? 'keychain' : 'secret store'}`);
  return Object.keys(changes).length;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
