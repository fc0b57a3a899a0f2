/**
 * In the desktop app, secrets (LLM keys, HA token, broker password) go to the OS keychain through
 * the preload instead of over REST, so they are never stored in plain text. In a browser there is
 * no bridge and the hub's PUT /api/settings takes them.
 */
import { z } from 'zod';
import { getBridge } from './bridge.js';

export type SecretName = 'anthropic_api_key' | 'openai_api_key' | 'nim_api_key' | 'gemini_api_key' | 'home_assistant_token' | 'mqtt_password' | 'dashboard_token';

interface SecretBridge {
  listSecrets(): Promise<unknown>;
  setSecret(name: SecretName, value: string): Promise<void>;
  deleteSecret(name: SecretName): Promise<void>;
}

const statusList = z.array(z.object({ name: z.string(), set: z.boolean() }));

export function secretBridge(): SecretBridge | null {
  const b = getBridge() as (Partial<SecretBridge> & object) | undefined;
  if (!b || typeof b.listSecrets !== 'function' || typeof b.setSecret !== 'function' || typeof b.deleteSecret !== 'function') return null;
  return b as SecretBridge;
}

/** The keychain entry for a provider's API key; null for providers without one (ollama, none). */
export function apiKeySecret(provider: string): SecretName | null {
  switch (provider) {
    case 'anthropic':
    case 'openai':
    case 'nim':
    case 'gemini':
      return `${provider}_api_key`;
    default:
      return null;
  }
}

export async function secretStatus(): Promise<Map<string, boolean> | null> {
  const b = secretBridge();
  if (!b) return null;
  const r = statusList.safeParse(await b.listSecrets());
  return r.success ? new Map(r.data.map((s) => [s.name, s.set])) : null;
}
