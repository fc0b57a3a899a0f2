/**
 * Where agent.fetch may connect. A URL's host is resolved once, every address it resolves to is
 * judged (addresses.ts), and the request is then connected to exactly the address that was judged
 * (safe-fetch.ts pins it), so a DNS answer that changes between the check and the connect — DNS
 * rebinding — cannot move the request onto this machine or the LAN.
 *
 * Policy: only global unicast addresses by default. `fetch_local` (allowLocal) lifts the refusal of
 * loopback and private networks, nothing else: metadata services, link-local, multicast, broadcast,
 * the unspecified address and reserved ranges stay refused whatever the grant. A name that resolves
 * to several addresses is refused when any of them is refused (no betting on which one is used).
 */
import { lookup } from 'node:dns/promises';
import { type AddressCategory, classifyAddress, isIpLiteral, isLocalhostName, isMetadataName } from './addresses.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (the default asks the OS: hosts file, DNS). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/** The capability that lifts the loopback/private refusal (named in errors). */
export const LOCAL_FETCH_CAPABILITY = 'fetch_local';

/** A request agent.fetch will not make; `category` says what the address is. */
export class FetchRefusedError extends Error {
  override name = 'FetchRefusedError';
  constructor(
    message: string,
    readonly host: string,
    readonly category: AddressCategory | 'scheme' | 'unresolvable',
  ) {
    super(message);
  }
}

export interface VetOptions {
  /** `fetch_local` was granted: loopback and private addresses are allowed. */
  allowLocal: boolean;
  resolve?: Resolver;
}

const DESCRIBE: Record<AddressCategory, string> = {
  loopback: 'this machine',
  private: 'a private network address',
  metadata: 'a cloud metadata service',
  'link-local': 'a link-local address',
  multicast: 'a multicast address',
  unspecified: 'the unspecified address (this machine)',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  public: 'a public address',
};

function allowed(category: AddressCategory, allowLocal: boolean): boolean {
  return category === 'public' || (allowLocal && (category === 'loopback' || category === 'private'));
}

function refusal(host: string, address: string | null, category: AddressCategory): FetchRefusedError {
  const what = `${host}${address && address !== host ? ` (${address})` : ''} is ${DESCRIBE[category]}`;
  const liftable = category === 'loopback' || category === 'private';
  const message = liftable ? `agent.fetch: ${what}; requests to it need the \`${LOCAL_FETCH_CAPABILITY}\` capability` : `agent.fetch: ${what}; agents may not reach it`;
  return new FetchRefusedError(message, host, category);
}

/**
 * Checks `url` and returns the one address to connect to. Throws FetchRefusedError when the scheme
 * is not http(s) or the host is (or resolves to) a place agents may not reach.
 */
export async function vetTarget(url: URL, opts: VetOptions): Promise<ResolvedAddress> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchRefusedError(`agent.fetch: only http(s) URLs (not ${url.protocol})`, url.hostname, 'scheme');
  // The WHATWG parser has already turned 2130706433, 0x7f.1, 0177.0.0.1 and 127.1 into 127.0.0.1.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isMetadataName(host)) throw refusal(host, null, 'metadata');
  if (isIpLiteral(host)) {
    const category = classifyAddress(host);
    if (!allowed(category, opts.allowLocal)) throw refusal(host, null, category);
    return { address: host, family: host.includes(':') ? 6 : 4 };
  }
  // localhost names are loopback by definition, whatever a resolver would answer.
  if (isLocalhostName(host) && !opts.allowLocal) throw refusal(host, null, 'loopback');
  let answers: ResolvedAddress[];
  try {
    answers = await (opts.resolve ?? systemResolver)(host);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FetchRefusedError(`agent.fetch: cannot resolve ${host}${code ? ` (${code})` : ''}`, host, 'unresolvable');
  }
  if (answers.length === 0) throw new FetchRefusedError(`agent.fetch: ${host} has no address`, host, 'unresolvable');
  for (const a of answers) {
    const category = classifyAddress(a.address);
    if (!allowed(category, opts.allowLocal)) throw refusal(host, a.address, category);
  }
  return answers[0]!;
}
