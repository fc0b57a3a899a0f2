/**
 * WhatsApp-through-Twilio settings from the environment: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
 * TWILIO_WHATSAPP_NUMBER (the sender, e.g. +14155238886 for the sandbox), WHATSAPP_PUBLIC_URL (the
 * public base URL Twilio calls — the signature is computed over it), and optionally
 * WHATSAPP_ALLOWED_NUMBERS (only these senders are answered) and TWILIO_API_BASE_URL (tests).
 */
import { InterfaceConfigError } from '../chat-interface.js';

export interface WhatsAppSettings {
  accountSid: string;
  authToken: string;
  /** `whatsapp:+14155238886`. */
  fromNumber: string;
  /** Public base URL (https://hub.example.com) Twilio posts to; absent → taken from the request's Host. */
  publicUrl?: string;
  apiBaseUrl?: string;
  /** `whatsapp:+…` numbers that may talk to the hub; empty → anyone who reaches the number. */
  allowedNumbers: ReadonlySet<string>;
}

export const asWhatsAppAddress = (n: string): string => {
  const t = n.trim().replace(/[\s()-]/g, '');
  return t.startsWith('whatsapp:') ? t : `whatsapp:${t}`;
};

export function whatsappSettingsFrom(env: NodeJS.ProcessEnv): WhatsAppSettings {
  const need = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_WHATSAPP_NUMBER'] as const;
  const missing = need.filter((k) => !env[k]?.trim());
  if (missing.length) {
    throw new InterfaceConfigError(`the whatsapp interface needs ${missing.join(', ')} (from your Twilio console; the number is your WhatsApp sender, e.g. +14155238886).`);
  }
  const publicUrl = env.WHATSAPP_PUBLIC_URL?.trim().replace(/\/+$/, '') || undefined;
  if (publicUrl && !/^https?:\/\/[^/]+/.test(publicUrl)) throw new InterfaceConfigError(`WHATSAPP_PUBLIC_URL must be an http(s) URL, got "${publicUrl}".`);
  const allowed = (env.WHATSAPP_ALLOWED_NUMBERS ?? '').split(/[,;]+/).map((s) => s.trim()).filter(Boolean);
  return {
    accountSid: env.TWILIO_ACCOUNT_SID!.trim(),
    authToken: env.TWILIO_AUTH_TOKEN!.trim(),
    fromNumber: asWhatsAppAddress(env.TWILIO_WHATSAPP_NUMBER!),
    publicUrl,
    apiBaseUrl: env.TWILIO_API_BASE_URL?.trim() || undefined,
    allowedNumbers: new Set(allowed.map(asWhatsAppAddress)),
  };
}
