/**
 * Who may talk to the hub's HTTP surfaces from a browser — one policy for REST (`--port`), the
 * dashboard (`--monitor-port`) and every WebSocket upgrade on them (`/mqtt`, `/ws`).
 *
 * - **Host allow-list** (DNS rebinding): a page on evil.example whose name is re-pointed at
 *   127.0.0.1 still sends `Host: evil.example`. Accepted: loopback names and addresses, the bind
 *   address (`--host`; for 0.0.0.0/:: every address of this machine's interfaces), and the names
 *   the user adds (WACTORZ_ALLOWED_HOSTS, `*.example.org` allowed). A request without Host
 *   (HTTP/1.0) carries no browser's authority and is let through.
 * - **Cross-site requests** change nothing: a state-changing method (anything but GET/HEAD/OPTIONS)
 *   with an `Origin` must come from the hub's own origin (Origin's host = Host) or an origin the user
 *   allows (WACTORZ_ALLOWED_ORIGINS); without Origin, `Sec-Fetch-Site` must be same-origin or none.
 *   A request with neither (curl, scripts, MCP, nodes) is no browser's and passes — so the
 *   original's `curl -X POST …/actors/x/pause` keeps working.
 * - **JSON only when there is a body**: a body on a state-changing request must be JSON, so an HTML
 *   form or a `text/plain` fetch — the "simple requests" a browser sends cross-site without asking —
 *   cannot reach a route even where an old browser sends no Origin.
 * - **WebSocket upgrades** check Host, and Origin whenever one is sent (browsers always send it):
 *   a page on any other origin cannot open `/mqtt` on 127.0.0.1, token or not.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { networkInterfaces } from 'node:os';
import { canonicalAddress, isIpLiteral, isLoopbackHost, isWildcardAddress } from '../net/addresses.js';

export interface RequestPolicyOptions {
  /** The address the servers bind (`--host`). */
  bindHost: string;
  /** Host names the user adds (exact, or `*.example.org` for its subdomains). */
  allowedHosts?: readonly string[];
  /** Origins the user allows (`https://ha.example.org`, `http://localhost:5173`). */
  allowedOrigins?: readonly string[];
  /** This machine's addresses (test seam; default: os.networkInterfaces()). */
  interfaceAddresses?: () => readonly string[];
}

export interface PolicyRefusal {
  status: 403 | 415;
  error: string;
  detail: string;
}

interface RequestLike {
  method?: string | undefined;
  headers: IncomingHttpHeaders;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const INTERFACE_CACHE_MS = 10_000;

/** Splits a Host header (`name:port`, `[v6]:port`) into its lower-case host part. */
export function hostOfHeader(value: string): string {
  const v = value.trim().toLowerCase();
  if (v.startsWith('[')) return v.slice(0, v.indexOf(']') + 1);
  const colon = v.lastIndexOf(':');
  return (colon >= 0 && v.indexOf(':') === colon ? v.slice(0, colon) : v).replace(/\.$/, '');
}

function normaliseOrigin(origin: string): string | null {
  try {
    const o = new URL(origin).origin;
    return o === 'null' ? null : o;
  } catch {
    return null;
  }
}

/** Comma- or space-separated list from an environment variable. */
export function listFromEnv(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export class RequestPolicy {
  private readonly names = new Set<string>();
  private readonly wildcardSuffixes: string[] = [];
  private readonly addresses = new Set<string>();
  private readonly origins = new Set<string>();
  private readonly bindsEverywhere: boolean;
  private interfaceCache: { at: number; addresses: Set<string> } | null = null;

  constructor(private readonly opts: RequestPolicyOptions) {
    this.bindsEverywhere = isWildcardAddress(opts.bindHost);
    for (const h of [opts.bindHost, ...(opts.allowedHosts ?? [])]) this.addHost(h);
    for (const o of opts.allowedOrigins ?? []) this.addOrigin(o);
  }

  /** Adds a host name or address to the allow-list. */
  addHost(host: string): void {
    const h = hostOfHeader(host.includes('://') ? new URL(host).host : host);
    if (!h) return;
    if (h.startsWith('*.')) this.wildcardSuffixes.push(h.slice(1));
    else if (isIpLiteral(h)) this.addresses.add(canonicalAddress(h));
    else this.names.add(h);
  }

  /** Allows a browser origin (scheme://host[:port]); throws on something that is not one. */
  addOrigin(origin: string): void {
    const o = normaliseOrigin(origin);
    if (!o) throw new Error(`"${origin}" is not an origin (scheme://host[:port])`);
    this.origins.add(o);
  }

  get allowedOrigins(): readonly string[] {
    return [...this.origins];
  }

  /** True when a request with this Host header may be served. */
  hostAllowed(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined) return true;
    const host = hostOfHeader(hostHeader);
    if (!host) return false;
    if (isLoopbackHost(host)) return true;
    if (isIpLiteral(host)) {
      const a = canonicalAddress(host);
      return this.addresses.has(a) || (this.bindsEverywhere && this.interfaceAddresses().has(a));
    }
    return this.names.has(host) || this.wildcardSuffixes.some((s) => host.endsWith(s));
  }

  /** True when `origin` is the hub's own (its host is the request's allowed Host) or one the user allows. */
  originAllowed(origin: string, hostHeader: string | undefined): boolean {
    const o = normaliseOrigin(origin);
    if (!o) return false;
    if (this.origins.has(o)) return true;
    return hostHeader !== undefined && this.hostAllowed(hostHeader) && new URL(o).host === hostHeader.trim().toLowerCase();
  }

  /** The HTTP rules (see the file comment); null when the request may go on. */
  checkRequest(req: RequestLike): PolicyRefusal | null {
    const host = req.headers.host;
    if (!this.hostAllowed(host)) return hostRefusal(host);
    if (SAFE_METHODS.has((req.method ?? 'GET').toUpperCase())) return null;
    const crossSite = this.crossSite(req);
    if (crossSite) return crossSite;
    if (hasBody(req.headers) && !isJson(req.headers['content-type'])) {
      return { status: 415, error: 'JSON body required', detail: `a request body must be application/json (got ${req.headers['content-type'] ?? 'no content-type'})` };
    }
    return null;
  }

  /** The WebSocket rules: Host, and Origin whenever the client sends one. */
  checkUpgrade(req: RequestLike): PolicyRefusal | null {
    const host = req.headers.host;
    if (!this.hostAllowed(host)) return hostRefusal(host);
    const origin = req.headers.origin;
    if (origin !== undefined && !this.originAllowed(origin, host)) return originRefusal(origin);
    return null;
  }

  private crossSite(req: RequestLike): PolicyRefusal | null {
    const origin = req.headers.origin;
    if (origin !== undefined) return this.originAllowed(origin, req.headers.host) ? null : originRefusal(origin);
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return { status: 403, error: 'cross-site request refused', detail: `Sec-Fetch-Site: ${String(site)}` };
    }
    return null;
  }

  private interfaceAddresses(): Set<string> {
    const now = Date.now();
    if (!this.interfaceCache || now - this.interfaceCache.at > INTERFACE_CACHE_MS) {
      const list = this.opts.interfaceAddresses?.() ?? Object.values(networkInterfaces()).flatMap((ifs) => (ifs ?? []).map((i) => i.address));
      this.interfaceCache = { at: now, addresses: new Set(list.map((a) => canonicalAddress(a))) };
    }
    return this.interfaceCache.addresses;
  }
}

function hostRefusal(host: string | undefined): PolicyRefusal {
  return { status: 403, error: 'unknown host', detail: `this hub does not answer to "${host ?? ''}"; add the name to WACTORZ_ALLOWED_HOSTS if it is yours` };
}

function originRefusal(origin: string): PolicyRefusal {
  return { status: 403, error: 'cross-site request refused', detail: `origin ${origin} is not allowed; add it to WACTORZ_ALLOWED_ORIGINS if it is yours` };
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const len = headers['content-length'];
  return len !== undefined && Number(len) > 0;
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** The policy from `--host` and the environment (WACTORZ_ALLOWED_HOSTS, WACTORZ_ALLOWED_ORIGINS), plus origins the caller adds. */
export function requestPolicyFor(bindHost: string, env: NodeJS.ProcessEnv, extra: { hosts?: readonly string[]; origins?: readonly string[] } = {}): RequestPolicy {
  return new RequestPolicy({
    bindHost,
    allowedHosts: [...listFromEnv(env.WACTORZ_ALLOWED_HOSTS), ...(extra.hosts ?? [])],
    allowedOrigins: [...listFromEnv(env.WACTORZ_ALLOWED_ORIGINS), ...(extra.origins ?? [])],
  });
}
