/**
 * Where Home Assistant is and how to reach it. The original reads HA_URL / HOME_ASSISTANT_URL and
 * HA_TOKEN / HOME_ASSISTANT_TOKEN; the dashboard's settings can supply the same two values.
 */
export interface HaConfig {
  /** Base URL, e.g. `http://homeassistant.local:8123` (no trailing slash, no `/api`). */
  url: string;
  /** A long-lived access token (HA profile → Security → Long-lived access tokens). */
  token: string;
}

export type HaConfigResult =
  | { configured: true; config: HaConfig }
  | { configured: false; reason: string };

type Env = Record<string, string | undefined>;

const pick = (env: Env, ...names: string[]): string | undefined => {
  for (const n of names) {
    const v = env[n]?.trim();
    if (v) return v;
  }
  return undefined;
};

/**
 * Normalises what people type: `homeassistant.local:8123`, `http://ha:8123/`, `http://ha:8123/api`
 * all become `http://ha:8123`. Throws with a readable message for something that is not a URL.
 */
export function normalizeHaUrl(raw: string): string {
  let text = raw.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`"${raw}" is not a valid Home Assistant URL (expected e.g. http://homeassistant.local:8123)`);
  }
  // People paste the WebSocket URL too.
  if (u.protocol === 'ws:') u.protocol = 'http:';
  else if (u.protocol === 'wss:') u.protocol = 'https:';
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new Error(`"${raw}" must be an http:// or https:// URL`);
  }
  let path = u.pathname.replace(/\/+$/, '');
  path = path.replace(/\/api(\/websocket)?$/, '');
  return `${u.protocol}//${u.host}${path}`;
}

/** `http://ha:8123` → `ws://ha:8123/api/websocket` (https → wss). */
export function haWebSocketUrl(url: string): string {
  return `${url.replace(/^http/, 'ws')}/api/websocket`;
}

/** Reads the connection settings from the environment; says which variable is missing when one is. */
export function resolveHaConfig(env: Env = process.env): HaConfigResult {
  const url = pick(env, 'HA_URL', 'HOME_ASSISTANT_URL');
  const token = pick(env, 'HA_TOKEN', 'HOME_ASSISTANT_TOKEN');
  if (!url && !token) {
    return { configured: false, reason: 'Home Assistant is not configured: set HA_URL and HA_TOKEN (or HOME_ASSISTANT_URL and HOME_ASSISTANT_TOKEN), or enter them in the dashboard settings.' };
  }
  if (!url) return { configured: false, reason: 'HA_TOKEN is set but HA_URL (or HOME_ASSISTANT_URL) is missing.' };
  if (!token) return { configured: false, reason: 'HA_URL is set but HA_TOKEN (or HOME_ASSISTANT_TOKEN) is missing: create a long-lived access token in your Home Assistant profile.' };
  try {
    return { configured: true, config: { url: normalizeHaUrl(url), token } };
  } catch (e) {
    return { configured: false, reason: (e as Error).message };
  }
}

/** Same as resolveHaConfig, for settings that come as an object (WactorzConfig.homeAssistant, the dashboard). */
export function haConfigFrom(settings: { url?: string; token?: string } | undefined): HaConfigResult {
  return resolveHaConfig({ HA_URL: settings?.url, HA_TOKEN: settings?.token });
}
