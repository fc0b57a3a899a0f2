/**
 * What kind of place an IP address or host name is, for the hub's network edges: agent.fetch
 * (may it go there?), the HTTP Host allow-list and the broker's loopback rules (is it this machine?).
 *
 * Policy: an address is judged by what it reaches, not by how it is written. IPv4 embedded in IPv6
 * (mapped `::ffff:7f00:1`, compatible `::127.0.0.1`, NAT64 `64:ff9b::…`, 6to4 `2002:…`) is judged
 * as the IPv4 it carries; the odd IPv4 spellings (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`, `0`)
 * are normalised by the WHATWG URL parser before anything here sees them, and by ipaddr.js when an
 * address comes alone. Only global unicast is "public"; everything else has a category so that an
 * error can say what it is, and so that `fetch_local` can lift exactly loopback and private.
 */
import ipaddr from 'ipaddr.js';

export type AddressCategory =
  /** This machine: 127.0.0.0/8, ::1, `localhost` names. */
  | 'loopback'
  /** Home and company networks: RFC 1918, CGNAT 100.64/10, IPv6 unique-local fc00::/7. */
  | 'private'
  /** Cloud instance metadata services (credentials live there): never reachable for agents. */
  | 'metadata'
  | 'link-local'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  /** Documentation, benchmarking, Teredo, discard, 240/4 … : nothing an agent has business with. */
  | 'reserved'
  /** Global unicast: the Internet. */
  | 'public';

/** Well-known metadata endpoints; some are also private (ULA, CGNAT), which `fetch_local` would otherwise lift. */
const METADATA_ADDRESSES: ReadonlySet<string> = new Set(
  [
  '169.254.169.254', // AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean …
  '169.254.170.2', // AWS ECS task metadata
  '100.100.100.200', // Alibaba Cloud
  '192.0.0.192', // Oracle Cloud (legacy)
  'fd00:ec2::254', // AWS IMDS over IPv6
  ].map((a) => canonicalAddress(a)),
);

/** Names of metadata services, refused before any lookup (a hosts file may point them anywhere). */
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.com', 'metadata.tencentyun.com']);

const IPV4_CATEGORY: Record<string, AddressCategory> = {
  unicast: 'public',
  loopback: 'loopback',
  private: 'private',
  carrierGradeNat: 'private',
  linkLocal: 'link-local',
  multicast: 'multicast',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
};

const IPV6_CATEGORY: Record<string, AddressCategory> = {
  unicast: 'public',
  loopback: 'loopback',
  uniqueLocal: 'private',
  linkLocal: 'link-local',
  multicast: 'multicast',
  unspecified: 'unspecified',
};

const NAT64_LOCAL = ipaddr.IPv6.parseCIDR('64:ff9b:1::/48');

/** True for a literal IPv4 or IPv6 address (brackets and a zone id allowed). */
export function isIpLiteral(host: string): boolean {
  return ipaddr.isValid(unbracket(host).replace(/%.*$/, ''));
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function ipv4From(hi: number, lo: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

/**
 * The IPv4 an IPv6 address stands for, when it carries one: mapped (::ffff:a.b.c.d), compatible
 * (::a.b.c.d), NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48) or 6to4 (2002:AABB:CCDD::/48).
 */
export function embeddedIPv4(addr: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = addr.parts;
  const range = addr.range();
  if (range === 'ipv4Mapped' || range === 'rfc6052' || addr.match(NAT64_LOCAL)) return ipv4From(p[6]!, p[7]!);
  if (range === '6to4') return ipv4From(p[1]!, p[2]!);
  // IPv4-compatible (deprecated): the first 96 bits zero, but not :: or ::1.
  if (p.slice(0, 6).every((x) => x === 0) && (p[6] !== 0 || p[7]! > 1)) return ipv4From(p[6]!, p[7]!);
  return null;
}

/** The category of a literal address (any spelling ipaddr.js accepts); throws on a non-address. */
export function classifyAddress(address: string): AddressCategory {
  const parsed = ipaddr.parse(unbracket(address).replace(/%.*$/, ''));
  if (METADATA_ADDRESSES.has(canonical(parsed))) return 'metadata';
  if (parsed.kind() === 'ipv4') return IPV4_CATEGORY[parsed.range()] ?? 'reserved';
  const v6 = parsed as ipaddr.IPv6;
  const v4 = embeddedIPv4(v6);
  if (v4) return classifyAddress(v4.toString());
  return IPV6_CATEGORY[v6.range()] ?? 'reserved';
}

/** Host names that are this machine whatever DNS says (`localhost`, `*.localhost`, RFC 6761). */
export function isLocalhostName(name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n === 'localhost' || n.endsWith('.localhost');
}

export function isMetadataName(name: string): boolean {
  return METADATA_NAMES.has(name.toLowerCase().replace(/\.$/, ''));
}

/** True when `host` (a name or a literal address) is this machine's loopback. */
export function isLoopbackHost(host: string): boolean {
  if (isLocalhostName(host)) return true;
  return isIpLiteral(host) && classifyAddress(host) === 'loopback';
}

/** True for the wildcard bind addresses (0.0.0.0, ::): every interface of this machine. */
export function isWildcardAddress(host: string): boolean {
  return isIpLiteral(host) && classifyAddress(host) === 'unspecified';
}

/** The canonical text of a literal address (IPv4 dotted quad, IPv6 RFC 5952), for comparisons. */
export function canonicalAddress(address: string): string {
  return canonical(ipaddr.parse(unbracket(address).replace(/%.*$/, '')));
}

function canonical(parsed: ipaddr.IPv4 | ipaddr.IPv6): string {
  return parsed.kind() === 'ipv6' ? (parsed as ipaddr.IPv6).toRFC5952String() : parsed.toString();
}

/** A remote peer's address as Node reports it (`::ffff:127.0.0.1` on dual-stack sockets): is it this machine? */
export function isLoopbackPeer(remoteAddress: string | undefined): boolean {
  if (!remoteAddress) return false;
  try {
    return classifyAddress(remoteAddress) === 'loopback';
  } catch {
    return false;
  }
}
