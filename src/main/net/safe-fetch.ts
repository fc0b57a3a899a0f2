/**
 * agent.fetch as the hub performs it: every hop's target is vetted (fetch-target.ts), the socket is
 * connected to exactly the vetted address (an undici Agent whose `lookup` answers with it, so the
 * OS is not asked again and TLS still checks the certificate against the URL's host name),
 * redirects are followed by hand — each one vetted again, at most `maxRedirects`, credentials
 * dropped when the origin changes — and the body is capped. Errors are plain messages an agent
 * (and the LLM that wrote it) can act on.
 */
import type { LookupFunction } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { FetchRefusedError, type ResolvedAddress, type Resolver, vetTarget } from './fetch-target.js';

export interface SafeFetchRequest {
  url: string;
  method?: string | undefined;
  headers?: Record<string, string> | undefined;
  /** A string is sent as is; anything else as JSON (with `content-type: application/json`). */
  body?: unknown;
  timeoutSeconds?: number | undefined;
}

export interface SafeFetchResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  /** The URL that answered (after redirects). */
  url: string;
}

export interface SafeFetchOptions {
  /** `fetch_local` was granted: loopback and private networks are allowed (nothing else is). */
  allowLocal: boolean;
  /** Name resolution (default: the OS). A test seam, and the one place names become addresses. */
  resolve?: Resolver;
  /**
   * Test seam: sends each (already vetted) hop instead of the pinned undici Agent. Tests use it to
   * pretend a remote host; the vetting still runs on the URL the agent asked for.
   */
  fetchImpl?: typeof fetch;
  /** Test seam: extra TLS options for the pinned connection (e.g. a test CA). */
  tls?: { ca?: string | Buffer };
  maxRedirects?: number;
  maxBodyBytes?: number;
  maxSeconds?: number;
}

export const DEFAULT_MAX_REDIRECTS = 5;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_MAX_SECONDS = 120;

/** Headers that must not follow a redirect to another origin (the fetch standard drops them too). */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** A `lookup` for net.connect that answers with the vetted address, whatever it is asked. */
export function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as LookupFunction;
}

interface Hop {
  status: number;
  statusText: string;
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
  done: () => Promise<void>;
}

async function sendHop(url: URL, target: ResolvedAddress, init: { method: string; headers: Record<string, string>; body: string | undefined; signal: AbortSignal }, opts: SafeFetchOptions): Promise<Hop> {
  const requestInit = { method: init.method, headers: init.headers, redirect: 'manual' as const, signal: init.signal, ...(init.body !== undefined ? { body: init.body } : {}) };
  if (opts.fetchImpl) {
    const res = await opts.fetchImpl(url.toString(), requestInit);
    return { status: res.status, statusText: res.statusText, headers: res.headers, body: res.body, done: async () => {} };
  }
  const dispatcher = new Agent({ connect: { lookup: pinnedLookup(target), ...(opts.tls?.ca ? { ca: opts.tls.ca } : {}) }, pipelining: 0 });
  try {
    const res = await undiciFetch(url, { ...requestInit, dispatcher });
    return { status: res.status, statusText: res.statusText, headers: res.headers as unknown as Headers, body: res.body as ReadableStream<Uint8Array> | null, done: () => dispatcher.destroy() };
  } catch (e) {
    await dispatcher.destroy();
    throw e;
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** Fetches like agent.fetch: vetted, pinned, redirects re-checked, body capped. */
export async function safeFetch(request: SafeFetchRequest, opts: SafeFetchOptions): Promise<SafeFetchResponse> {
  const { bytes, ...rest } = await safeFetchBytes(request, opts);
  return { ...rest, body: bytes.toString('utf8') };
}

/** The same fetch, the body as bytes (binary documents: PDFs for the manual agent). */
export async function safeFetchBytes(request: SafeFetchRequest, opts: SafeFetchOptions): Promise<Omit<SafeFetchResponse, 'body'> & { bytes: Buffer }> {
  const maxSeconds = opts.maxSeconds ?? DEFAULT_MAX_SECONDS;
  const seconds = Math.min(request.timeoutSeconds ?? 30, maxSeconds);
  const signal = AbortSignal.timeout(seconds * 1000);
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  let headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers ?? {})) headers[k.toLowerCase()] = v;
  let body: string | undefined;
  if (typeof request.body === 'string') body = request.body;
  else if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    headers['content-type'] ??= 'application/json';
  }
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    throw new Error(`agent.fetch: "${request.url}" is not a URL`);
  }
  let method = (request.method ?? 'GET').toUpperCase();
  for (let hop = 0; ; hop++) {
    const target = await vetTarget(url, { allowLocal: opts.allowLocal, ...(opts.resolve ? { resolve: opts.resolve } : {}) });
    let res: Hop;
    try {
      res = await sendHop(url, target, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body, signal }, opts);
    } catch (e) {
      const err = e as Error;
      const cause = (err.cause as Error | undefined)?.message;
      throw new Error(err.name === 'TimeoutError' || signal.aborted ? `agent.fetch ${url}: no answer within ${seconds} s` : `agent.fetch ${url}: ${err.message}${cause ? ` (${cause})` : ''}`);
    }
    const location = res.headers.get('location');
    if (isRedirect(res.status) && location) {
      await res.body?.cancel().catch(() => {});
      await res.done();
      if (hop >= maxRedirects) throw new Error(`agent.fetch ${request.url}: more than ${maxRedirects} redirects`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new Error(`agent.fetch: ${url} redirects to an invalid URL (${location})`);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new FetchRefusedError(`agent.fetch: redirect to a non-http(s) URL refused (${next})`, next.hostname, 'scheme');
      if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.includes(k)));
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'content-type'));
      }
      url = next;
      continue;
    }
    try {
      const out: Record<string, string> = {};
      res.headers.forEach((v, k) => (out[k] = v));
      return { status: res.status, statusText: res.statusText, headers: out, bytes: await readCapped(res.body, opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES), url: url.toString() };
    } finally {
      await res.done();
    }
  }
}

async function readCapped(stream: ReadableStream<Uint8Array> | null, max: number): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new Error(`agent.fetch: the response is larger than ${Math.round(max / 1024)} KB`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
