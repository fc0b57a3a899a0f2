/**
 * Twilio's request signature (X-Twilio-Signature), per Twilio's webhook security docs: HMAC-SHA1,
 * keyed with the account's auth token, over the full URL Twilio called (query string included)
 * followed by every POST parameter as name+value, sorted by name; base64. Twilio may sign the URL
 * with or without an explicit default port, so both forms are accepted (as Twilio's own helper does).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type FormParams = Record<string, string | string[]>;

export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key]!;
    for (const v of Array.isArray(value) ? [...value].sort() : [value]) data += key + v;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export function isValidTwilioSignature(authToken: string, signature: string | undefined, url: string, params: FormParams): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature);
  return urlVariants(url).some((u) => {
    const expected = Buffer.from(twilioSignature(authToken, u, params));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/** The URL as given, and with the scheme's default port added or removed. */
function urlVariants(url: string): string[] {
  const m = /^(https?):\/\/([^/?#:@]+)(?::(\d+))?(.*)$/i.exec(url);
  if (!m) return [url];
  const [, scheme, host, port, rest] = m as unknown as [string, string, string, string | undefined, string];
  const defaultPort = scheme.toLowerCase() === 'https' ? '443' : '80';
  if (port && port !== defaultPort) return [url];
  return [...new Set([url, `${scheme}://${host}${rest}`, `${scheme}://${host}:${defaultPort}${rest}`])];
}

/** Form body → params, keeping repeated names as arrays (Twilio sorts and signs each value). */
export function parseForm(body: string): FormParams {
  const params: FormParams = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = params[k];
    params[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return params;
}
