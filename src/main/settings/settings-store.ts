/**
 * Settings saved from the dashboard, under the state dir: plain settings in SQLite (the hub's
 * durable key-value table), secrets (API key, HA token, broker password) in `secrets.json`
 * readable by the owner only (0600) — the headless hub has no OS keychain; the desktop app keeps
 * its secrets in the keychain and passes them in the config instead.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Persistence } from '../persistence/persistence.js';
import type { SettingsPatch } from '../../shared/settings.js';

const SETTINGS_KEY = 'durable:settings';
const OWNER = 'hub';

const storedSchema = z.object({
  llm: z.object({ provider: z.string().optional(), model: z.string().nullable().optional(), baseUrl: z.string().nullable().optional() }).default({}),
  homeAssistant: z.object({ url: z.string().nullable().optional() }).default({}),
  mqtt: z.object({ broker: z.string().nullable().optional(), port: z.number().optional(), username: z.string().nullable().optional() }).default({}),
});
export type StoredSettings = z.infer<typeof storedSchema>;

const secretsSchema = z.object({
  llmApiKey: z.string().optional(),
  haToken: z.string().optional(),
  mqttPassword: z.string().optional(),
});
export type StoredSecrets = z.infer<typeof secretsSchema>;

export class SettingsStore {
  private readonly secretsFile: string;

  constructor(
    private readonly persistence: Persistence,
    stateDir: string,
  ) {
    this.secretsFile = join(stateDir, 'secrets.json');
  }

  async load(): Promise<{ settings: StoredSettings; secrets: StoredSecrets }> {
    const raw = await this.persistence.recall(OWNER, SETTINGS_KEY);
    const parsed = storedSchema.safeParse(raw ?? {});
    return { settings: parsed.success ? parsed.data : storedSchema.parse({}), secrets: this.loadSecrets() };
  }

  /** Applies a patch (null clears a field) and saves both parts. */
  async apply(patch: SettingsPatch): Promise<{ settings: StoredSettings; secrets: StoredSecrets }> {
    const { settings, secrets } = await this.load();
    const set = <T extends object, K extends keyof T>(target: T, key: K, value: T[K] | null | undefined) => {
      if (value === undefined) return;
      if (value === null) delete target[key];
      else target[key] = value;
    };
    if (patch.llm) {
      set(settings.llm, 'provider', patch.llm.provider);
      set(settings.llm, 'model', patch.llm.model);
      set(settings.llm, 'baseUrl', patch.llm.baseUrl);
      set(secrets, 'llmApiKey', patch.llm.apiKey);
    }
    if (patch.homeAssistant) {
      set(settings.homeAssistant, 'url', patch.homeAssistant.url);
      set(secrets, 'haToken', patch.homeAssistant.token);
    }
    if (patch.mqtt) {
      set(settings.mqtt, 'broker', patch.mqtt.broker);
      set(settings.mqtt, 'port', patch.mqtt.port);
      set(settings.mqtt, 'username', patch.mqtt.username);
      set(secrets, 'mqttPassword', patch.mqtt.password === '' ? null : patch.mqtt.password);
    }
    await this.persistence.persist(OWNER, SETTINGS_KEY, settings);
    this.saveSecrets(secrets);
    return { settings, secrets };
  }

  private loadSecrets(): StoredSecrets {
    if (!existsSync(this.secretsFile)) return {};
    try {
      const parsed = secretsSchema.safeParse(JSON.parse(readFileSync(this.secretsFile, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }

  private saveSecrets(secrets: StoredSecrets): void {
    const tmp = `${this.secretsFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(secrets), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.secretsFile);
  }
}
