/**
 * The fleet signature (fleet-mac.ts) on its own: what it binds (direction, topic, node, key, number,
 * every body field), that key order and `auth` placement do not matter (JCS), that what JCS cannot
 * sign is refused, that a rotation's wrapped key opens only for its node and keys; and the
 * enrollment code's format.
 */
import { describe, expect, it } from 'vitest';
import { decodeKey, encodeKey, generateFleetKey, readSigned, signMessage, unwrapFleetKey, verifyMac, wrapFleetKey, type SignedMessage } from './fleet-mac.js';
import { formatEnrollmentCode, parseEnrollmentCode } from './enrollment-code.js';

const key = generateFleetKey();
const topic = 'nodes/garage/spawn';
const body = { command_id: 'c-1', name: 'cam', code: 'export async function handleTask() {}', capabilities: ['fetch'], nested: { a: [1, 2.5, null], z: 'é' } };

/** Whether `msg`, as it travels (JSON text), checks out for `dir` on `t` with `k`. */
function checks(msg: unknown, t = topic, k = key, dir: 'hub' | 'node' = 'hub'): boolean {
  const m = readSigned(JSON.stringify(msg));
  return m.ok && verifyMac(k, dir, t, m.auth, m.body);
}

describe('signMessage / verifyMac', () => {
  const signed = signMessage(key, 'hub', 'garage', topic, 7, body);

  it('checks out as sent, with keys in any order and auth anywhere', () => {
    expect(signed.auth).toMatchObject({ v: 1, node: 'garage', kid: key.kid, seq: 7 });
    expect(checks(signed)).toBe(true);
    const reordered = Object.fromEntries(Object.entries(signed).reverse());
    expect(checks(reordered)).toBe(true);
  });

  it('binds every field, the topic, the direction, the key and the number', () => {
    const tamper = (f: (m: SignedMessage) => void): SignedMessage => {
      const copy = JSON.parse(JSON.stringify(signed)) as SignedMessage;
      f(copy);
      return copy;
    };
    expect(checks(tamper((m) => (m.name = 'implant')))).toBe(false);
    expect(checks(tamper((m) => ((m.nested as { a: unknown[] }).a[1] = 2.6)))).toBe(false);
    expect(checks(tamper((m) => (m.extra = true)))).toBe(false);
    expect(checks(tamper((m) => delete m.capabilities))).toBe(false);
    expect(checks(tamper((m) => (m.auth.seq = 8)))).toBe(false);
    expect(checks(tamper((m) => (m.auth.node = 'shed')))).toBe(false);
    expect(checks(signed, 'nodes/garage/stop')).toBe(false);
    expect(checks(signed, topic, key, 'node')).toBe(false); // reflected back the other way
    expect(checks(signed, topic, generateFleetKey())).toBe(false);
    expect(checks(tamper((m) => (m.auth.mac = m.auth.mac.slice(0, -4))))).toBe(false);
  });

  it('tells unsigned, malformed and non-JSON payloads apart', () => {
    expect(readSigned('{"command_id":"x"}')).toEqual({ ok: false, error: 'unsigned' });
    expect(readSigned('{"auth":{"v":1}}')).toEqual({ ok: false, error: 'malformed signature' });
    expect(readSigned('not json')).toEqual({ ok: false, error: 'not JSON' });
    expect(readSigned('[1]')).toEqual({ ok: false, error: 'not a JSON object' });
  });

  it('signs strings as they travel: a lone surrogate becomes U+FFFD; undefined fields are dropped', () => {
    const odd = signMessage(key, 'node', 'garage', topic, 1, { s: 'a\uD800b', u: undefined });
    expect(odd.s).toBe('a\uFFFDb');
    expect('u' in odd).toBe(false);
    expect(checks(odd, topic, key, 'node')).toBe(true);
    // A lone surrogate that reaches the receiver was never signed by anyone: refused, not thrown.
    const raw = JSON.stringify({ ...odd, s: 'a\uD800b' });
    const m = readSigned(raw);
    expect(m.ok && verifyMac(key, 'node', topic, m.auth, m.body)).toBe(false);
  });
});

describe('key wrapping (rotation)', () => {
  const next = generateFleetKey();
  const wrapped = wrapFleetKey(key, next, 'garage');

  it('opens with the current key for the same node and key ids only', () => {
    expect(unwrapFleetKey(key, next.kid, wrapped, 'garage').secret.equals(next.secret)).toBe(true);
    expect(() => unwrapFleetKey(key, next.kid, wrapped, 'shed')).toThrow();
    expect(() => unwrapFleetKey(key, generateFleetKey().kid, wrapped, 'garage')).toThrow();
    expect(() => unwrapFleetKey(generateFleetKey(), next.kid, wrapped, 'garage')).toThrow();
    expect(() => unwrapFleetKey(key, next.kid, wrapped.slice(0, -2), 'garage')).toThrow();
  });

  it('stores keys in a form that reads back, and refuses damaged ones', () => {
    expect(decodeKey(encodeKey(next))?.secret.equals(next.secret)).toBe(true);
    expect(decodeKey({ kid: next.kid, key: 'short' })).toBeUndefined();
    expect(decodeKey({ kid: 'XYZ', key: encodeKey(next).key })).toBeUndefined();
    expect(decodeKey('x')).toBeUndefined();
  });
});

describe('enrollment codes', () => {
  it('round-trip, and say what is wrong with a damaged one', () => {
    const code = formatEnrollmentCode('garage', key);
    expect(code).toMatch(/^wnk1:garage:[0-9a-f]{16}:[A-Za-z0-9_-]{43}$/);
    const parsed = parseEnrollmentCode(` ${code}\n`);
    expect(parsed.ok && parsed.node === 'garage' && parsed.key.secret.equals(key.secret)).toBe(true);
    expect(parseEnrollmentCode(code.slice(0, -3))).toMatchObject({ ok: false, error: expect.stringMatching(/damaged/) });
    expect(parseEnrollmentCode('garage')).toMatchObject({ ok: false, error: expect.stringMatching(/looks like wnk1:/) });
    expect(parseEnrollmentCode(code.replace('garage', 'ga/rage'))).toMatchObject({ ok: false, error: expect.stringMatching(/invalid node/) });
  });
});
