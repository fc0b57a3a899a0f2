/**
 * Token check for the REST API and MQTT over WebSocket. The original's `API_KEY` travels in
 * `X-API-Key`; the dashboard token (required when the hub binds beyond loopback) may also come as
 * `Authorization: Bearer …` or `?token=` (the browser's first visit). Static dashboard files are
 * public: they hold no secrets, and the page needs them to ask for the token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from '../net/addresses.js';

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

/** True when `host` (a bind address or name) is this machine's loopback. */
export function isLoopback(host: string): boolean {
  return isLoopbackHost(host);
}

/** A fresh dashboard token (24 random bytes, base64url). */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The hub's accepted tokens: `API_KEY` (the original's, set by the user) and the dashboard token
 * (given, or generated when the hub binds beyond loopback). The dashboard token can be rotated:
 * the old one stops working at once (REST, `/mqtt`, and MQTT sessions that logged in with it).
 */
export class AccessTokens {
  private dashboard: string | null;
  private readonly listeners = new Set<(token: string, previous: string) => void>();

  constructor(
    private readonly apiKey: string | undefined,
    dashboardToken: string | null,
  ) {
    this.dashboard = dashboardToken || null;
  }

  /** Every token accepted now; empty → nothing is required. */
  list(): readonly string[] {
    return [this.apiKey, this.dashboard].filter((t): t is string => typeof t === 'string' && t.length > 0);
  }

  get dashboardToken(): string | null {
    return this.dashboard;
  }

  /** True when `token` is one of the accepted tokens (constant-time per candidate). */
  accepts(token: string): boolean {
    return this.list().some((t) => equal(t, token));
  }

  /** Replaces the dashboard token with a new random one and returns it; null when the hub has none. */
  rotate(): string | null {
    const previous = this.dashboard;
    if (previous === null) return null;
    const next = newToken();
    this.dashboard = next;
    for (const fn of this.listeners) fn(next, previous);
    return next;
  }

  /** Called after each rotation (persist it, drop sessions that used the old one). */
  onRotate(fn: (token: string, previous: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
