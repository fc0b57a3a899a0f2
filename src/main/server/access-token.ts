/**
 * Token check for the REST API and MQTT over WebSocket. The original's `API_KEY` travels in
 * `X-API-Key`; the dashboard token (required when the hub binds beyond loopback) may also come as
 * `Authorization: Bearer …` or `?token=` (the browser's first visit). Static dashboard files are
 * public: they hold no secrets, and the page needs them to ask for the token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

function equal(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** The token a request presents, from the header, bearer auth or query string. */
export function presentedToken(req: Pick<IncomingMessage, 'headers' | 'url'>): string | undefined {
  const key = req.headers['x-api-key'];
  if (typeof key === 'string' && key) return key;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const q = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  return q ?? undefined;
}

/** True when no token is required, or the request presents one of the accepted tokens. */
export function isAuthorized(req: Pick<IncomingMessage, 'headers' | 'url'>, accepted: readonly string[]): boolean {
  if (accepted.length === 0) return true;
  const t = presentedToken(req);
  return t !== undefined && accepted.some((a) => equal(a, t));
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
