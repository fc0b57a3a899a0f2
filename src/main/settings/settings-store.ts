/**
 * Settings saved from the dashboard: plain settings in SQLite (the hub's durable key-value
 * table), secrets (API key, HA token, broker password) in the hub's SecretStore (src/main/secrets:
 * `secrets.json` 0600 in the state dir headless, the OS keychain in the desktop app).
 */
import { z } from 'zod';
import type { Persistence } from '../persistence/persistence.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { SETTINGS_SECRET_NAMES } from '../secrets/legacy-settings-secrets.js';
import type { SettingsPatch } from '../../shared/settings.js';

const SETTINGS_KEY = 'durable:settings';
const OWNER = 'hub';

const storedSchema = z.object({
  llm: z.object({ provider: z.string().optional(), model: z.string().nullable().optional(), baseUrl: z.string().nullable().optional() }).default({}),
  homeAssistant: z.object({ url: z.string().nullable().optional() }).default({}),
  mqtt: z.object({ broker: z.string().nullable().optional(), port: z.number().optional(), username: z.string().nullable().optional() }).default({}),
});
export type StoredSettings = z.infer<typeof storedSchema>;

export interface StoredSecrets {
  llmApiKey?: string;
  haToken?: string;
  mqttPassword?: string;
}

export class SettingsStore {
  constructor(
    private readonly persistence: Persistence,
    private readonly secretStore: SecretStore,
  ) {}

  async load(): Promise<{ settings: StoredSettings; secrets: StoredSecrets }> {
    const raw = await this.persistence.recall(OWNER, SETTINGS_KEY);
    const parsed = storedSchema.safeParse(raw ?? {});
    return { settings: parsed.success ? parsed.data : storedSchema.parse({}), secrets: await this.loadSecrets() };
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
    await this.saveSecrets(secrets);
    return { settings, secrets };
  }

  private async loadSecrets(): Promise<StoredSecrets> {
    const secrets: StoredSecrets = {};
    for (const [field, name] of Object.entries(SETTINGS_SECRET_NAMES)) {
      const v = await this.secretStore.get(name);
      if (v) secrets[field as keyof StoredSecrets] = v;
    }
    return secrets;
  }

  private saveSecrets(secrets: StoredSecrets): Promise<void> {
    return this.secretStore.update(Object.fromEntries(Object.entries(SETTINGS_SECRET_NAMES).map(([field, name]) => [name, secrets[field as keyof StoredSecrets] ?? null])));
  }
}
