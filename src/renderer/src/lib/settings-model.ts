/**
 * Hub settings as the Settings view edits them. Reads GET /api/settings whether it answers in the
 * config's camelCase or the original's snake_case, and writes PUT /api/settings as a partial
 * update in the shape of WactorzConfig (llm, homeAssistant, mqtt). Secrets are write-only: the hub
 * says whether one is set, the page only ever sends a new value (or nothing).
 */

export const LLM_PROVIDER_CHOICES = ['anthropic', 'openai', 'ollama', 'nim', 'gemini', 'none'] as const;

export interface SettingsModel {
  llm: { provider: string; model: string; baseUrl: string; apiKeySet: boolean; summary?: string };
  homeAssistant: { url: string; tokenSet: boolean; configured?: boolean; reason?: string };
  mqtt: { broker: string; port: number | null; username: string; passwordSet: boolean; mode?: string };
  /** Saved changes that take effect at the hub's next start. */
  restartRequired: boolean;
}

export interface SettingsDraft {
  provider: string;
  model: string;
  baseUrl: string;
  /** '' → unchanged. */
  apiKey: string;
  clearApiKey: boolean;
  haUrl: string;
  /** '' → unchanged. */
  haToken: string;
  clearHaToken: boolean;
  broker: string;
  port: string;
  username: string;
  /** '' → unchanged. */
  password: string;
}

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj => (x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Obj) : {});
const str = (...xs: unknown[]): string => {
  for (const x of xs) if (typeof x === 'string') return x;
  return '';
};
/** A secret counts as set when the hub says so, or sends a (masked) non-empty value. */
const isSet = (...xs: unknown[]): boolean => {
  for (const x of xs) {
    if (typeof x === 'boolean') return x;
    if (typeof x === 'string') return x.length > 0;
  }
  return false;
};

export function settingsFromApi(json: unknown): SettingsModel {
  const root = obj(json);
  const s = Object.keys(obj(root.settings)).length > 0 ? obj(root.settings) : root;
  const llm = obj(s.llm);
  const ha = obj(s.homeAssistant ?? s.home_assistant ?? s.ha);
  const mq = obj(s.mqtt ?? s.broker);
  const portRaw = mq.port ?? s.mqtt_port;
  const m: SettingsModel = {
    llm: {
      provider: str(llm.provider, s.llm_provider, s.provider) || 'none',
      model: str(llm.model, s.llm_model, s.model),
      baseUrl: str(llm.baseUrl, llm.base_url, s.llm_base_url),
      apiKeySet: isSet(llm.apiKeySet, llm.api_key_set, llm.hasApiKey, llm.has_api_key, llm.apiKey, llm.api_key),
    },
    homeAssistant: {
      url: str(ha.url, s.ha_url, s.homeAssistantUrl),
      tokenSet: isSet(ha.tokenSet, ha.token_set, ha.hasToken, ha.has_token, ha.token),
    },
    mqtt: {
      broker: str(mq.broker, mq.host, s.mqtt_broker),
      port: typeof portRaw === 'number' ? portRaw : null,
      username: str(mq.username, s.mqtt_username),
      passwordSet: isSet(mq.passwordSet, mq.password_set, mq.hasPassword, mq.password),
    },
    restartRequired: root.restartRequired === true || root.restart_required === true || s.restartRequired === true,
  };
  if (typeof llm.summary === 'string') m.llm.summary = llm.summary;
  if (typeof ha.configured === 'boolean') m.homeAssistant.configured = ha.configured;
  if (typeof ha.reason === 'string') m.homeAssistant.reason = ha.reason;
  if (typeof mq.mode === 'string') m.mqtt.mode = mq.mode;
  return m;
}

export function draftFrom(m: SettingsModel): SettingsDraft {
  return {
    provider: m.llm.provider,
    model: m.llm.model,
    baseUrl: m.llm.baseUrl,
    apiKey: '',
    clearApiKey: false,
    haUrl: m.homeAssistant.url,
    haToken: '',
    clearHaToken: false,
    broker: m.mqtt.broker,
    port: m.mqtt.port === null ? '' : String(m.mqtt.port),
    username: m.mqtt.username,
    password: '',
  };
}

export interface SettingsPatch {
  llm?: { provider?: string; model?: string | null; baseUrl?: string | null; apiKey?: string | null };
  homeAssistant?: { url?: string | null; token?: string | null };
  mqtt?: { broker?: string | null; port?: number; username?: string | null; password?: string };
}

export type PatchResult = { ok: true; patch: SettingsPatch; empty: boolean } | { ok: false; errors: Partial<Record<keyof SettingsDraft, string>> };

const orNull = (v: string): string | null => (v.trim() === '' ? null : v.trim());

function validUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The draft after picking another provider: the model and endpoint belonged to the previous one, so
 * they empty (the new provider's defaults); picking the saved provider again brings its values back.
 */
export function withProvider(m: SettingsModel, d: SettingsDraft, provider: string): SettingsDraft {
  if (provider === d.provider) return d;
  const saved = provider === m.llm.provider;
  return { ...d, provider, model: saved ? m.llm.model : '', baseUrl: saved ? m.llm.baseUrl : '' };
}

/** The fields that changed, as PUT /api/settings takes them; validation errors per field otherwise. */
export function patchFromDraft(m: SettingsModel, d: SettingsDraft): PatchResult {
  const errors: Partial<Record<keyof SettingsDraft, string>> = {};
  if (d.baseUrl.trim() && !validUrl(d.baseUrl.trim())) errors.baseUrl = 'an http(s) URL';
  if (d.haUrl.trim() && !validUrl(d.haUrl.trim())) errors.haUrl = 'an http(s) URL, e.g. http://homeassistant.local:8123';
  let port: number | undefined;
  if (d.port.trim() !== '') {
    port = Number(d.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) errors.port = 'a port between 1 and 65535';
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const patch: SettingsPatch = {};
  const llm: NonNullable<SettingsPatch['llm']> = {};
  if (d.provider !== m.llm.provider) llm.provider = d.provider;
  if (d.model.trim() !== m.llm.model) llm.model = orNull(d.model);
  if (d.baseUrl.trim() !== m.llm.baseUrl) llm.baseUrl = orNull(d.baseUrl);
  if (d.apiKey.trim()) llm.apiKey = d.apiKey.trim();
  else if (d.clearApiKey) llm.apiKey = null;
  if (Object.keys(llm).length > 0) patch.llm = llm;

  const ha: NonNullable<SettingsPatch['homeAssistant']> = {};
  if (d.haUrl.trim() !== m.homeAssistant.url) ha.url = orNull(d.haUrl);
  if (d.haToken.trim()) ha.token = d.haToken.trim();
  else if (d.clearHaToken) ha.token = null;
  if (Object.keys(ha).length > 0) patch.homeAssistant = ha;

  const mq: NonNullable<SettingsPatch['mqtt']> = {};
  if (d.broker.trim() !== m.mqtt.broker) mq.broker = orNull(d.broker);
  if (port !== undefined && port !== m.mqtt.port) mq.port = port;
  if (d.username.trim() !== m.mqtt.username) mq.username = orNull(d.username);
  if (d.password) mq.password = d.password;
  if (Object.keys(mq).length > 0) patch.mqtt = mq;

  return { ok: true, patch, empty: Object.keys(patch).length === 0 };
}
