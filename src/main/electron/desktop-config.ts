/**
 * The hub's configuration in the desktop app: the settings file, the secrets (keychain first,
 * then the environment for people who start the app from a terminal) and the app's paths, turned
 * into the `WactorzConfigInput` that `startWactorz` takes — the same object the headless CLI builds
 * from flags. Pure: every input is passed in.
 */
import type { DesktopSettings, SecretName } from '../../shared/desktop-api.js';
import type { LlmProviderName, WactorzConfigInput } from '../config/config.js';

export type SecretValues = Partial<Record<SecretName, string>>;

/** Where each provider's key comes from: the keychain name, then these environment variables. */
const PROVIDER_KEYS: ReadonlyArray<{ provider: LlmProviderName; secret: SecretName; env: string[] }> = [
  { provider: 'anthropic', secret: 'anthropic_api_key', env: ['ANTHROPIC_API_KEY'] },
  { provider: 'openai', secret: 'openai_api_key', env: ['OPENAI_API_KEY'] },
  { provider: 'gemini', secret: 'gemini_api_key', env: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'] },
  { provider: 'nim', secret: 'nim_api_key', env: ['NIM_API_KEY', 'NVIDIA_API_KEY'] },
];

export interface DesktopConfigInput {
  settings: DesktopSettings;
  secrets: SecretValues;
  env: Record<string, string | undefined>;
  /** `<userData>/state`. */
  stateDir: string;
  /** better_sqlite3.node built for Electron's ABI, when one was found. */
  nativeBinding?: string;
}

/** The config, plus what the desktop shell itself needs to know about it. */
export interface DesktopHubConfig {
  config: WactorzConfigInput;
  /** The LLM key's origin, for the log line (never the key). */
  llmKeySource: 'keychain' | 'environment' | 'none';
}

function keyFor(provider: LlmProviderName, secrets: SecretValues, env: DesktopConfigInput['env']): { key?: string; source: DesktopHubConfig['llmKeySource'] } {
  const entry = PROVIDER_KEYS.find((p) => p.provider === provider);
  if (!entry) return { source: 'none' };
  const stored = secrets[entry.secret];
  if (stored) return { key: stored, source: 'keychain' };
  for (const name of entry.env) {
    const v = env[name];
    if (v) return { key: v, source: 'environment' };
  }
  return { source: 'none' };
}

/** `auto`: the first provider with a key (keychain or environment), else Ollama when OLLAMA_HOST is set, else none. */
export function resolveProvider(settings: DesktopSettings, secrets: SecretValues, env: DesktopConfigInput['env']): LlmProviderName {
  if (settings.llm.provider !== 'auto') return settings.llm.provider;
  for (const p of PROVIDER_KEYS) if (keyFor(p.provider, secrets, env).key) return p.provider;
  return env.OLLAMA_HOST ? 'ollama' : 'none';
}

export function buildHubConfig(input: DesktopConfigInput): DesktopHubConfig {
  const { settings, secrets, env } = input;
  const provider = resolveProvider(settings, secrets, env);
  const { key, source } = keyFor(provider, secrets, env);
  const baseUrl = settings.llm.baseUrl ?? (provider === 'ollama' ? env.OLLAMA_HOST : undefined);
  const haToken = secrets.home_assistant_token ?? env.HA_TOKEN;
  const haUrl = settings.homeAssistantUrl ?? env.HA_URL;

  const config: WactorzConfigInput = {
    stateDir: input.stateDir,
    // Not serving other devices → loopback only, on a port the OS picks (only the window uses it).
    host: settings.serveOtherDevices ? settings.host : '127.0.0.1',
    monitorPort: settings.serveOtherDevices ? settings.monitorPort : 0,
    // The desktop app has no terminal: chat goes through the dashboard.
    interface: 'none',
    llm: {
      provider,
      ...(settings.llm.model ? { model: settings.llm.model } : {}),
      ...(key ? { apiKey: key } : {}),
      ...(baseUrl ? { baseUrl } : {}),
    },
    mqtt: {
      port: settings.mqttPort,
      ...(settings.mqttBroker ? { broker: settings.mqttBroker } : {}),
      ...(settings.mqttBroker && settings.mqttUsername ? { username: settings.mqttUsername } : {}),
      ...(settings.mqttBroker && secrets.mqtt_password ? { password: secrets.mqtt_password } : {}),
    },
    ...(settings.redisUrl ? { redisUrl: settings.redisUrl } : env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    ...(haUrl && haToken ? { homeAssistant: { url: haUrl, token: haToken } } : {}),
    ...(input.nativeBinding ? { nativeBinding: input.nativeBinding } : {}),
  };
  return { config, llmKeySource: key ? source : 'none' };
}

/** The same config with its ports set to 0 (the OS picks): the retry when 8888 or 1883 is taken. */
export function withEphemeralPorts(config: WactorzConfigInput): WactorzConfigInput {
  const external = Boolean(config.mqtt?.broker);
  return {
    ...config,
    monitorPort: 0,
    // An external broker's port is where the broker is, not ours to change.
    ...(external ? {} : { mqtt: { ...config.mqtt, port: 0 } }),
  };
}
