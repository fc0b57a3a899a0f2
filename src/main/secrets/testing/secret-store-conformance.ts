/**
 * What every SecretStore must do, whatever keeps the values (a plain owner-only file, the OS
 * keychain, memory): round-trip any value exactly, list names without values, change several
 * secrets all-or-nothing, refuse bad names and oversized values without echoing them, keep every
 * one of many concurrent writes, and — when it persists — give the same answers to the next
 * process. Each implementation's test file runs it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_SECRET_VALUE, SecretStoreError, type SecretStore } from '../secret-store.js';

export interface SecretStoreTarget {
  label: string;
  /** A fresh, empty store. */
  open(): Promise<SecretStore> | SecretStore;
  /** A new instance over the same backing (the next start), for stores that persist. */
  reopen?: () => Promise<SecretStore> | SecretStore;
  /** Called after each test (remove temp folders). */
  cleanup?: () => Promise<void> | void;
  kind: SecretStore['kind'];
}

const KEY = 'sk-ant-CONFORMANCE-SECRET-0123456789';

async function errorOf(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof Error)) throw new Error('expected the call to fail');
  return e;
}

export function runSecretStoreConformance(t: SecretStoreTarget): void {
  describe(`SecretStore conformance: ${t.label}`, () => {
    let store: SecretStore;
    beforeEach(async () => {
      store = await t.open();
    });
    afterEach(async () => {
      await t.cleanup?.();
    });

    it('says what kind of store it is', () => {
      expect(store.kind).toBe(t.kind);
    });

    it('round-trips values exactly: overwrite, delete, undefined for what is not set', async () => {
      expect(await store.get('settings.llm_api_key')).toBeUndefined();
      await store.set('settings.llm_api_key', KEY);
      expect(await store.get('settings.llm_api_key')).toBe(KEY);
      await store.set('settings.llm_api_key', 'second');
      expect(await store.get('settings.llm_api_key')).toBe('second');
      await store.delete('settings.llm_api_key');
      expect(await store.get('settings.llm_api_key')).toBeUndefined();
      await store.delete('settings.llm_api_key'); // deleting what is not there is not an error
      const odd = ['', 'ünïcödé — 鍵 🔑', '-----BEGIN KEY-----\nabc\n-----END KEY-----\n', ' spaces kept ', 'x'.repeat(MAX_SECRET_VALUE)];
      for (const [i, v] of odd.entries()) await store.set(`agent.a.V${i}`, v);
      for (const [i, v] of odd.entries()) expect(await store.get(`agent.a.V${i}`)).toBe(v);
    });

    it('lists names (sorted, by prefix), never values', async () => {
      await store.update({ 'agent.b.TOKEN': 'tb', 'agent.a.TOKEN': KEY, 'agent.ab.X': 'x', openai_api_key: 'o' });
      expect(await store.names()).toEqual(['agent.a.TOKEN', 'agent.ab.X', 'agent.b.TOKEN', 'openai_api_key']);
      expect(await store.names('agent.a.')).toEqual(['agent.a.TOKEN']);
      expect(await store.names('nothing.')).toEqual([]);
      expect(JSON.stringify(await store.names())).not.toContain(KEY);
    });

    it('changes several secrets at once, and a bad one leaves all as they were', async () => {
      await store.update({ 'agent.w.A': '1', 'agent.w.B': '2' });
      await store.update({ 'agent.w.A': null, 'agent.w.C': '3' });
      expect(await store.names('agent.w.')).toEqual(['agent.w.B', 'agent.w.C']);
      await expect(store.update({ 'agent.w.B': 'changed', 'bad name': 'x' })).rejects.toBeInstanceOf(SecretStoreError);
      await expect(store.update({ 'agent.w.B': 'changed', 'agent.w.D': 'y'.repeat(MAX_SECRET_VALUE + 1) })).rejects.toBeInstanceOf(SecretStoreError);
      expect(await store.get('agent.w.B')).toBe('2');
      expect(await store.names('agent.w.')).toEqual(['agent.w.B', 'agent.w.C']);
    });

    it('refuses bad names and oversized values with an error that never echoes the value', async () => {
      for (const name of ['', 'a b', '../etc/passwd', 'a..b', '.a', 'a.', 'a/b', 'n'.repeat(201)]) {
        await expect(store.set(name, KEY), name).rejects.toBeInstanceOf(SecretStoreError);
      }
      const big = `${KEY}${'z'.repeat(MAX_SECRET_VALUE)}`;
      const err = await errorOf(store.set('agent.a.BIG', big));
      expect(err.message).toMatch(/agent\.a\.BIG.*at most/);
      expect(err.message).not.toContain(KEY);
      expect(await store.names()).toEqual([]);
    });

    it('keeps every one of many concurrent writes', async () => {
      const names = Array.from({ length: 25 }, (_, i) => `agent.c${i % 5}.K${i}`);
      await Promise.all(names.map((n, i) => store.set(n, `value-${i}`)));
      for (const [i, n] of names.entries()) expect(await store.get(n)).toBe(`value-${i}`);
      expect((await store.names('agent.c')).length).toBe(25);
      if (t.reopen) {
        const next = await t.reopen();
        for (const [i, n] of names.entries()) expect(await next.get(n)).toBe(`value-${i}`);
      }
    });

    if (t.reopen) {
      it('gives the next process the same secrets, deletions included', async () => {
        await store.update({ 'settings.mqtt_password': KEY, 'agent.x.T': 'gone' });
        await store.delete('agent.x.T');
        const next = await t.reopen!();
        expect(await next.get('settings.mqtt_password')).toBe(KEY);
        expect(await next.get('agent.x.T')).toBeUndefined();
        expect(await next.names()).toEqual(['settings.mqtt_password']);
      });
    }
  });
}
