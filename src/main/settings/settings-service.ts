/**
 * The hub's settings: what the configuration (flags, environment, desktop app) gave at start,
 * completed by what was saved from the dashboard, and changed live from PUT /settings — the LLM
 * provider is swapped under the running agents, Home Assistant reconnects and its agents restart;
 * the MQTT broker is saved for the next start (every connection depends on it).
 *
 * Precedence: an explicit configuration wins at start (a key in the environment, --llm, HA_URL);
 * saved settings fill in what it leaves open. A change made in the dashboard applies at once.
 *
 * A model, a base URL and an API key belong to their provider: switching provider starts from the
 * new provider's defaults (its key from the environment, if there is one) unless the same change
 * gives them — never the previous provider's model, endpoint or key.
 */
import { llmConfigSchema, type LlmConfig, type WactorzConfig } from '../config/config.js';
import { createLlmProvider, type ProviderOverrides } from '../llm/create-provider.js';
import { describeLlm } from '../llm/llm-config.js';
import type { SettingsPatch, SettingsView } from '../../shared/settings.js';
import type { SettingsStore, StoredSecrets, StoredSettings } from './settings-store.js';
import type { SwitchableLlmProvider } from './switchable-llm.js';
import type { Logger } from '../base/logger.js';
import { bindCredentials } from './credential-binding.js';
import { redactOptional } from '../base/redact.js';

export interface HaSettings {
  url?: string;
  token?: string;
}

/** The LLM config to start with: the configuration's, or the saved one when the configuration names none. */
export function startupLlmConfig(config: LlmConfig, saved: StoredSettings, secrets: StoredSecrets): LlmConfig {
  if (config.provider !== 'none' || !saved.llm.provider || saved.llm.provider === 'none') return config;
  return llmFrom(saved, secrets, config);
}

/** The HA settings to start with, or undefined to let the environment decide. */
export function startupHaSettings(config: WactorzConfig, env: NodeJS.ProcessEnv, saved: StoredSettings, secrets: StoredSecrets): HaSettings | undefined {
  if (config.homeAssistant) return config.homeAssistant;
  if (env.HA_URL || env.HOME_ASSISTANT_URL) return undefined;
  return saved.homeAssistant.url && secrets.haToken ? { url: saved.homeAssistant.url, token: secrets.haToken } : undefined;
}

function llmFrom(saved: StoredSettings, secrets: StoredSecrets, base: Pick<LlmConfig, 'timeoutMs' | 'maxRetries'>): LlmConfig {
  return llmConfigSchema.parse({
    provider: saved.llm.provider ?? 'none',
    ...(saved.llm.model ? { model: saved.llm.model } : {}),
    ...(saved.llm.baseUrl ? { baseUrl: saved.llm.baseUrl } : {}),
    ...(secrets.llmApiKey ? { apiKey: secrets.llmApiKey } : {}),
    timeoutMs: base.timeoutMs,
    maxRetries: base.maxRetries,
  });
}

export interface SettingsServiceDeps {
  store: SettingsStore;
  llm: SwitchableLlmProvider;
  llmConfig: LlmConfig;
  /** A provider's defaults from the environment (model, base URL, key); default: none (built-in defaults, no key). */
  providerDefaults?: (provider: LlmConfig['provider']) => Partial<Pick<LlmConfig, 'model' | 'baseUrl' | 'apiKey'>>;
  llmOverrides?: ProviderOverrides;
  /** Reconnects Home Assistant with new settings and (re)starts or stops its agents. */
  applyHomeAssistant: (settings: HaSettings) => Promise<{ configured: boolean; reason?: string }>;
  haState: () => { url: string | null; tokenSet: boolean; configured: boolean; reason?: string };
  mqtt: { mode: 'embedded' | 'external'; broker: string | null; port: number; username: string | null; passwordSet: boolean };
  log: Logger<'info' | 'warning'>;
}

export class SettingsService {
  private llmConfig: LlmConfig;
  private restartRequired = false;

  constructor(private readonly d: SettingsServiceDeps) {
    this.llmConfig = d.llmConfig;
  }

  view(): SettingsView {
    return {
      llm: {
        provider: this.llmConfig.provider,
        model: this.d.llm.model || this.llmConfig.model || null,
        baseUrl: redactOptional(this.llmConfig.baseUrl ?? null),
        apiKeySet: Boolean(this.llmConfig.apiKey),
        summary: this.d.llm.summary,
      },
      homeAssistant: ((ha) => ({ ...ha, url: redactOptional(ha.url) }))(this.d.haState()),
      mqtt: { ...this.d.mqtt, broker: redactOptional(this.d.mqtt.broker) },
      restartRequired: this.restartRequired,
    };
  }

  async update(asked: SettingsPatch): Promise<SettingsView> {
    const provider = asked.llm?.provider ?? this.llmConfig.provider;
    const switching = provider !== this.llmConfig.provider;
    // A stored credential never follows its URL somewhere else unless given again (see credential-binding.ts).
    const saved = (await this.d.store.load()).settings;
    const { patch: bound, dropped } = bindCredentials(asked, {
      llm: { provider: this.llmConfig.provider, baseUrl: this.llmConfig.baseUrl },
      homeAssistant: { url: this.d.haState().url },
      mqtt: { broker: saved.mqtt.broker, port: saved.mqtt.port },
    });
    if (dropped.length) this.d.log('warning', `settings: ${dropped.join(', ')} dropped — it was saved for another address; give it again with the new one`);
    // On a switch the saved model, base URL and key are cleared unless this change gives new ones.
    const patch = bound.llm && switching ? { ...bound, llm: { model: null, baseUrl: null, apiKey: null, ...bound.llm } } : bound;
    const { settings, secrets } = await this.d.store.apply(patch);
    if (patch.llm) {
      const fresh = this.d.providerDefaults?.(provider) ?? {};
      const cur = this.llmConfig;
      // null in the patch clears a field back to the provider's default.
      const model = patch.llm.model === null ? fresh.model : (settings.llm.model ?? (switching ? fresh.model : cur.model));
      const baseUrl = patch.llm.baseUrl === null ? fresh.baseUrl : (settings.llm.baseUrl ?? (switching ? fresh.baseUrl : cur.baseUrl));
      // The environment's key goes only where the environment points it: never to a base URL that
      // this change set while the stored key was dropped for it.
      const envKeyFits = !dropped.includes('LLM API key') || !baseUrl || baseUrl === fresh.baseUrl;
      const apiKey = patch.llm.apiKey === null ? (envKeyFits ? fresh.apiKey : undefined) : (secrets.llmApiKey ?? (switching ? fresh.apiKey : cur.apiKey));
      const next = llmConfigSchema.parse({
        provider,
        ...(model ? { model } : {}),
        ...(baseUrl ? { baseUrl } : {}),
        ...(apiKey ? { apiKey } : {}),
        timeoutMs: cur.timeoutMs,
        maxRetries: cur.maxRetries,
      });
      this.d.llm.switchTo(createLlmProvider(next, this.d.llmOverrides), describeLlm(next));
      this.llmConfig = next;
      this.d.log('info', `settings: ${describeLlm(next)}`);
    }
    if (patch.homeAssistant) {
      const current = this.d.haState();
      const url = patch.homeAssistant.url === undefined ? (current.url ?? undefined) : (patch.homeAssistant.url ?? undefined);
      const r = await this.d.applyHomeAssistant({ url, token: secrets.haToken });
      this.d.log('info', r.configured ? `settings: Home Assistant at ${url}` : `settings: Home Assistant not configured (${r.reason ?? 'no URL or token'})`);
    }
    if (patch.mqtt) {
      this.restartRequired = true;
      this.d.log('warning', 'settings: the MQTT broker changes at the next start');
    }
    return this.view();
  }
}
