/**
 * The fleet's message signature: HMAC-SHA256 (node:crypto) with a node's fleet key over the
 * RFC 8785 JSON Canonicalization Scheme (JCS, the `canonicalize` package) of
 *
 *   { v: 1, dir: 'hub' | 'node', topic, node, kid, seq, body }
 *
 * where `body` is the payload without its `auth` member and `dir` says who signed (a message can
 * therefore not be reflected back the other way, nor moved to another topic or node).
 *
 * Why JCS: the receiver checks the JSON it parsed, not bytes — the signature travels inside the
 * payload, so the payload stays a readable, documented JSON object (readers that do not check just
 * ignore `auth`), and a node written in another language can produce the same bytes (sorted keys,
 * ECMAScript number and string forms are the whole of the spec). Why HMAC: one symmetric key per
 * node that the hub hands over at enrollment; the hub needs every node's key anyway, and a node
 * needs only its own — so a node's key signs nothing for any other node.
 *
 * Strings are made well-formed (a lone surrogate → U+FFFD) before signing, as JCS requires; the
 * signed message is what is published, so both ends see the same values.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import canonicalize from 'canonicalize';
import { FLEET_AUTH_VERSION, fleetAuthSchema, type FleetAuth, type FleetSigner } from '../../../shared/node-protocol.js';

export interface FleetKey {
  /** Key id: 8 random bytes, hex (names the key on the wire and in logs; never secret). */
  kid: string;
  /** 32 random bytes. */
  secret: Buffer;
}

export type SignedMessage = Record<string, unknown> & { auth: FleetAuth };

export function generateFleetKey(): FleetKey {
  return { kid: randomBytes(8).toString('hex'), secret: randomBytes(32) };
}

/** The exact text the MAC covers. */
export function macInput(dir: FleetSigner, topic: string, auth: Omit<FleetAuth, 'mac'>, body: unknown): string {
  const text = canonicalize({ v: auth.v, dir, topic, node: auth.node, kid: auth.kid, seq: auth.seq, body });
  if (text === undefined) throw new Error('nothing to sign');
  return text;
}

function mac(key: FleetKey, input: string): Buffer {
  return createHmac('sha256', key.secret).update(input, 'utf8').digest();
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The body as it will travel: JSON values only (undefined dropped), strings well-formed. */
export function normalizeBody(body: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(body, (_k, v: unknown) => (typeof v === 'string' ? v.replace(LONE_SURROGATE, '\uFFFD') : v))) as Record<string, unknown>;
}

/** `body` plus its `auth` member, signed by `dir` with `key` for `node` on `topic`. */
export function signMessage(key: FleetKey, dir: FleetSigner, node: string, topic: string, seq: number, body: Record<string, unknown>): SignedMessage {
  const clean = normalizeBody(body);
  delete clean.auth;
  const head = { v: FLEET_AUTH_VERSION, node, kid: key.kid, seq } as const;
  return { ...clean, auth: { ...head, mac: mac(key, macInput(dir, topic, head, clean)).toString('base64url') } };
}

/** A payload split into its body and `auth`; an error when it is not a signed message. */
export function readSigned(raw: Buffer | string): { ok: true; auth: FleetAuth; body: Record<string, unknown> } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return { ok: false, error: 'not a JSON object' };
  const { auth, ...body } = json as Record<string, unknown>;
  if (auth === undefined) return { ok: false, error: 'unsigned' };
  const a = fleetAuthSchema.safeParse(auth);
  if (!a.success) return { ok: false, error: 'malformed signature' };
  return { ok: true, auth: a.data, body };
}

/** Whether `auth.mac` is `key`'s MAC of `body` from `dir` on `topic`. */
export function verifyMac(key: FleetKey, dir: FleetSigner, topic: string, auth: FleetAuth, body: Record<string, unknown>): boolean {
  let input: string;
  try {
    input = macInput(dir, topic, auth, body);
  } catch {
    return false; // a lone surrogate or another value JCS refuses: nobody signed that
  }
  const expected = mac(key, input);
  const given = Buffer.from(auth.mac, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// ── rotation: the next key, encrypted with the current one ─────────────────

function wrapKeyFor(key: FleetKey): Buffer {
  return Buffer.from(hkdfSync('sha256', key.secret, Buffer.alloc(0), 'wactorz fleet key wrap v1', 32));
}

/** `next`'s secret encrypted (AES-256-GCM) with a key derived from `current`; bound to the node and both key ids. */
export function wrapFleetKey(current: FleetKey, next: FleetKey, node: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', wrapKeyFor(current), iv);
  cipher.setAAD(Buffer.from(`${node}\n${current.kid}\n${next.kid}`));
  const ct = Buffer.concat([cipher.update(next.secret), cipher.final()]);
  return Buffer.concat([iv, ct, cipher.getAuthTag()]).toString('base64url');
}

/** The next key from a rekey command; throws when it was not wrapped with `current` for `node`. */
export function unwrapFleetKey(current: FleetKey, kid: string, wrapped: string, node: string): FleetKey {
  const buf = Buffer.from(wrapped, 'base64url');
  if (buf.length !== 12 + 32 + 16) throw new Error('a wrapped key is 60 bytes');
  const decipher = createDecipheriv('aes-256-gcm', wrapKeyFor(current), buf.subarray(0, 12));
  decipher.setAAD(Buffer.from(`${node}\n${current.kid}\n${kid}`));
  decipher.setAuthTag(buf.subarray(44));
  return { kid, secret: Buffer.concat([decipher.update(buf.subarray(12, 44)), decipher.final()]) };
}

/** Stored form of a key (in the secret store only). */
export function encodeKey(key: FleetKey): { kid: string; key: string } {
  return { kid: key.kid, key: key.secret.toString('base64url') };
}

export function decodeKey(v: unknown): FleetKey | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const { kid, key } = v as { kid?: unknown; key?: unknown };
  if (typeof kid !== 'string' || !/^[0-9a-f]{16}$/.test(kid) || typeof key !== 'string') return undefined;
  const secret = Buffer.from(key, 'base64url');
  return secret.length === 32 ? { kid, secret } : undefined;
}
