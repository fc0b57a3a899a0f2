/**
 * Stable actor ids, derived exactly as the original Wactorz does:
 * `uuid.uuid5(uuid.NAMESPACE_DNS, f"wactorz.actor.{name}")` — so an actor keeps its id across
 * restarts and the original's dashboards and remote nodes see the same ids.
 */
import { createHash } from 'node:crypto';

/** RFC 4122 DNS namespace (Python's `uuid.NAMESPACE_DNS`). */
export const NAMESPACE_DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidToBytes(uuid: string): Buffer {
  if (!UUID_RE.test(uuid)) throw new TypeError(`not a UUID: ${uuid}`);
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function bytesToUuid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** RFC 4122 version-5 (SHA-1, name-based) UUID; same result as Python's `uuid.uuid5`. */
export function uuid5(namespace: string, name: string): string {
  const hash = createHash('sha1').update(uuidToBytes(namespace)).update(Buffer.from(name, 'utf8')).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  return bytesToUuid(bytes);
}

const cache = new Map<string, string>();

/** The id of the actor called `name`: uuid5(DNS, `wactorz.actor.<name>`). */
export function actorIdFor(name: string): string {
  let id = cache.get(name);
  if (id === undefined) {
    id = uuid5(NAMESPACE_DNS, `wactorz.actor.${name}`);
    if (cache.size < 10_000) cache.set(name, id);
  }
  return id;
}
