/**
 * A saved credential is bound to where it was given for: the LLM key to its provider and base
 * URL, the Home Assistant token to the HA URL, the broker password to the broker. A settings
 * change that points one of them somewhere else drops the credential unless the same change gives
 * it again — so whoever can change a URL (an agent that reached the REST API, a forged request)
 * cannot have the stored key sent to a listener of their choosing.
 *
 * URLs are compared as the client would use them (scheme and host case-insensitive, default port,
 * trailing slashes ignored). A URL sent back exactly as GET /settings showed it (credentials
 * redacted to `***`) means "unchanged", so a form that posts every field back keeps working.
 */
import type { SettingsPatch } from '../../shared/settings.js';
import { PROVIDER_SPECS } from '../llm/catalog.js';
import { redact, REDACTED } from '../base/redact.js';

export interface CredentialDestinations {
  llm: { provider: string; baseUrl: string | null | undefined };
  homeAssistant: { url: string | null | undefined };
  mqtt: { broker: string | null | undefined; port: number | null | undefined };
}

export interface BoundPatch {
  patch: SettingsPatch;
  /** Which stored credentials the patch drops, for the log line. */
  dropped: ('LLM API key' | 'Home Assistant token' | 'MQTT password')[];
}

function normalized(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url.trim());
    return `${u.protocol}//${u.username}:${u.password}@${u.host}${u.pathname.replace(/\/+$/, '')}${u.search}`;
  } catch {
    return url.trim().replace(/\/+$/, '');
  }
}

export function sameDestination(a: string | null | undefined, b: string | null | undefined): boolean {
  return normalized(a) === normalized(b);
}

/** The URL a form sent back as it was shown (redacted): the current one. */
function unmasked(sent: string | null, current: string | null | undefined): string | null {
  if (sent === null || !current || !sent.includes(REDACTED)) return sent;
  return sent === redact(current) ? current : sent;
}

function llmBase(provider: string, baseUrl: string | null | undefined): string | null {
  return baseUrl || (PROVIDER_SPECS as Record<string, { defaultBaseUrl: string } | undefined>)[provider]?.defaultBaseUrl || null;
}

/** The patch with each stored credential whose destination it changes dropped (set to null), unless given again. */
export function bindCredentials(input: SettingsPatch, current: CredentialDestinations): BoundPatch {
  const patch: SettingsPatch = structuredClone(input);
  const dropped: BoundPatch['dropped'] = [];
  if (patch.llm) {
    if (patch.llm.baseUrl !== undefined) patch.llm.baseUrl = unmasked(patch.llm.baseUrl, current.llm.baseUrl);
    const provider = patch.llm.provider ?? current.llm.provider;
    const moved =
      provider !== current.llm.provider ||
      (patch.llm.baseUrl !== undefined && !sameDestination(llmBase(provider, patch.llm.baseUrl), llmBase(current.llm.provider, current.llm.baseUrl)));
    if (moved && patch.llm.apiKey === undefined) {
      patch.llm.apiKey = null;
      dropped.push('LLM API key');
    }
  }
  if (patch.homeAssistant) {
    if (patch.homeAssistant.url !== undefined) patch.homeAssistant.url = unmasked(patch.homeAssistant.url, current.homeAssistant.url);
    if (patch.homeAssistant.url && !sameDestination(patch.homeAssistant.url, current.homeAssistant.url) && patch.homeAssistant.token === undefined) {
      patch.homeAssistant.token = null;
      dropped.push('Home Assistant token');
    }
  }
  if (patch.mqtt) {
    if (patch.mqtt.broker !== undefined) patch.mqtt.broker = unmasked(patch.mqtt.broker, current.mqtt.broker);
    const brokerMoved = patch.mqtt.broker !== undefined && !sameDestination(patch.mqtt.broker, current.mqtt.broker);
    const portMoved = patch.mqtt.port !== undefined && patch.mqtt.port !== current.mqtt.port;
    if ((brokerMoved || portMoved) && patch.mqtt.password === undefined) {
      patch.mqtt.password = ''; // the store's "clear"
      dropped.push('MQTT password');
    }
  }
  return { patch, dropped };
}
