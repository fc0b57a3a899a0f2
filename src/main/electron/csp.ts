/**
 * The Content-Security-Policy of the Electron window, set on every response from the app's own
 * origin (session.webRequest.onHeadersReceived), so the hub's HTTP server stays unchanged for
 * browsers. docs/desktop.md explains each directive.
 */

export interface CspOptions {
  /** The app's origin, e.g. http://127.0.0.1:8888. */
  appOrigin: string;
  /**
   * Development only (electron-vite dev server): the React refresh preamble is an inline script
   * and HMR talks over WebSocket, so scripts get 'unsafe-inline' and the dev server's ws origin.
   */
  dev?: boolean;
}

/** ws:// (or wss://) twin of an http(s) origin: MQTT over WebSocket at /mqtt on the same server. */
export function webSocketOrigin(httpOrigin: string): string {
  const u = new URL(httpOrigin);
  return `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}`;
}

export function buildCsp(opts: CspOptions): string {
  const ws = webSocketOrigin(opts.appOrigin);
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    ['script-src', opts.dev ? ["'self'", "'unsafe-inline'"] : ["'self'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['font-src', ["'self'", 'data:']],
    ['connect-src', ["'self'", ws]],
    ['worker-src', ["'self'", 'blob:']],
    ['object-src', ["'none'"]],
    ['base-uri', ["'self'"]],
    ['form-action', ["'self'"]],
    ['frame-src', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}

/**
 * Response headers with our CSP for a response from the app's origin; other responses unchanged.
 * Existing CSP headers (any case) are replaced, not merged: ours is the policy of record.
 */
export function withCsp(
  url: string,
  headers: Record<string, string[] | string> | undefined,
  opts: CspOptions,
): Record<string, string[] | string> | undefined {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return headers;
  }
  if (origin !== opts.appOrigin) return headers;
  const out: Record<string, string[] | string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() !== 'content-security-policy') out[k] = v;
  }
  out['Content-Security-Policy'] = [buildCsp(opts)];
  return out;
}
