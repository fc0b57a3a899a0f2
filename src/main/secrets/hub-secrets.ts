/**
 * The hub's secrets at start: the store (the one the host gives — the desktop's keychain — or
 * `<stateDir>/secrets.json`, 0600), the upgrades that move older secrets into it (the settings'
 * flat file; agents' env values out of wactorz.db), and agents' env values loaded for the
 * DynamicAgent service. Runs after persistence is open and before any agent is restored.
 */
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { AgentEnvSecrets } from './agent-env.js';
import { FileSecretStore } from './file-secret-store.js';
import { HUB_SECRETS_FILE, importLegacySettingsSecrets } from './legacy-settings-secrets.js';
import { moveAgentEnvOutOfDatabase } from './move-agent-env.js';
import type { SecretStore } from './secret-store.js';

export interface HubSecrets {
  store: SecretStore;
  agentEnv: AgentEnvSecrets;
}

export interface OpenHubSecretsOptions {
  stateDir: string;
  db: Database;
  /** A store the host provides (the desktop's keychain); default: the state dir's file. */
  store?: SecretStore;
  log?: (level: 'info' | 'warning', message: string) => void;
}

export async function openHubSecrets(opts: OpenHubSecretsOptions): Promise<HubSecrets> {
  const log = opts.log ?? (() => {});
  const store = opts.store ?? new FileSecretStore(join(opts.stateDir, HUB_SECRETS_FILE));
  await importLegacySettingsSecrets(opts.stateDir, store, log);
  await moveAgentEnvOutOfDatabase(opts.db, store, log);
  const registered = new Set((opts.db.prepare('SELECT name FROM spawn_registry').all() as { name: string }[]).map((r) => r.name));
  const agentEnv = new AgentEnvSecrets(store, log);
  await agentEnv.load((agent) => registered.has(agent));
  return { store, agentEnv };
}
