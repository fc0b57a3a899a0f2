import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnsafeNameError } from '../safe-name.js';
import { TEMP_FILE_PATTERN, tempPathFor } from './atomic-write.js';
import { BlobStore } from './blob-store.js';

let dir: string;
let store: BlobStore;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wactorz-blob-'));
  store = new BlobStore(dir);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('BlobStore', () => {
  it('stores JSON values as <stateDir>/<actor>/<key>.json', async () => {
    const value = { model: [1, 2, 3], nested: { ok: true }, text: 'héllo' };
    await store.set('camera', 'state', value);
    const file = path.join(dir, 'camera', 'state.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(value);
    expect(await store.get('camera', 'state')).toEqual(value);
    expect(await store.get('camera', 'missing')).toBeUndefined();
  });

  it('stores bytes as <key>.bin and returns a Buffer; switching kinds leaves one file', async () => {
    const bytes = new Uint8Array([0, 1, 2, 255]);
    await store.set('camera', 'frame', bytes);
    expect(readFileSync(path.join(dir, 'camera', 'frame.bin'))).toEqual(Buffer.from(bytes));
    const back = await store.get<Buffer>('camera', 'frame');
    expect(Buffer.isBuffer(back)).toBe(true);
    expect([...back!]).toEqual([0, 1, 2, 255]);

    await store.set('camera', 'frame', { replaced: true });
    expect(existsSync(path.join(dir, 'camera', 'frame.bin'))).toBe(false);
    expect(await store.get('camera', 'frame')).toEqual({ replaced: true });
    await store.set('camera', 'frame', Buffer.from('again'));
    expect(existsSync(path.join(dir, 'camera', 'frame.json'))).toBe(false);
    expect((await store.get<Buffer>('camera', 'frame'))!.toString()).toBe('again');
  });

  it('keeps the old file intact when a write dies before the rename, and leaves no temp file', async () => {
    await store.set('a', 'k', { version: 1 });
    const target = path.join(dir, 'a', 'k.json');
    let tempSeen: string | undefined;
    store.hooks.beforeRename = (tmp) => {
      tempSeen = tmp;
      // The new content is fully on disk in the temp file while the target still has the old one.
      expect(JSON.parse(readFileSync(tmp, 'utf8'))).toEqual({ version: 2 });
      expect(JSON.parse(readFileSync(target, 'utf8'))).toEqual({ version: 1 });
      throw new Error('simulated crash before rename');
    };
    await expect(store.set('a', 'k', { version: 2 })).rejects.toThrow(/simulated crash/);
    expect(tempSeen && path.dirname(tempSeen)).toBe(path.join(dir, 'a'));
    expect(JSON.parse(readFileSync(target, 'utf8'))).toEqual({ version: 1 });
    expect(readdirSync(path.join(dir, 'a'))).toEqual(['k.json']);
    store.hooks = {};
    expect(await store.get('a', 'k')).toEqual({ version: 1 });
  });

  it('ignores and sweeps a torn temp file left by a process that died mid-write', async () => {
    await store.set('a', 'k', { version: 1 });
    const target = path.join(dir, 'a', 'k.json');
    const torn = tempPathFor(target);
    expect(path.basename(torn)).toMatch(TEMP_FILE_PATTERN);
    writeFileSync(torn, '{"version": 2, "trunc'); // what a crash mid-write leaves
    expect(await store.get('a', 'k')).toEqual({ version: 1 });
    expect(await store.keys('a')).toEqual(['k']);
    expect(await store.sweepTempFiles()).toBe(1);
    expect(readdirSync(path.join(dir, 'a'))).toEqual(['k.json']);
  });

  it('applies concurrent writes to one key in call order (last call wins) and reads see prior writes', async () => {
    const writes = Array.from({ length: 20 }, (_, i) => store.set('a', 'counter', { i }));
    const read = store.get('a', 'counter');
    await Promise.all(writes);
    expect(await read).toEqual({ i: 19 });
    expect(await store.get('a', 'counter')).toEqual({ i: 19 });
  });

  it('rejects names that would escape the state directory', async () => {
    for (const [actor, key] of [
      ['..', 'k'],
      ['a', '../../etc/passwd'],
      ['a/b', 'k'],
      ['a', 'x\\y'],
      ['.hidden', 'k'],
      ['a', '.k'],
      ['a', ''],
      ['a', 'nul\u0000byte'],
      ['wactorz.db', 'k'],
    ] as const) {
      await expect(store.set(actor, key, 1), `${actor}/${key}`).rejects.toBeInstanceOf(UnsafeNameError);
      await expect(store.get(actor, key)).rejects.toThrow(/not allowed|non-empty|control|collides/);
    }
    expect(() => store.paths('a', '../../x')).toThrow(/path traversal/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('encodes other characters portably and lists keys back', async () => {
    await store.set('my agent', 'model:v2 (final)', 'x');
    expect(readdirSync(dir)).toEqual(['my%20agent']);
    expect(readdirSync(path.join(dir, 'my%20agent'))).toEqual(['model%3Av2%20%28final%29.json']);
    expect(await store.keys('my agent')).toEqual(['model:v2 (final)']);
    expect(await store.get('my agent', 'model:v2 (final)')).toBe('x');
  });

  it('deletes one key, or everything of an actor', async () => {
    await store.set('a', 'one', 1);
    await store.set('a', 'two', new Uint8Array([2]));
    await store.delete('a', 'one');
    expect(await store.get('a', 'one')).toBeUndefined();
    expect(await store.keys('a')).toEqual(['two']);
    await store.deleteActor('a');
    expect(existsSync(path.join(dir, 'a'))).toBe(false);
    await store.set('a', 'three', 3); // the directory comes back on demand
    expect(await store.get('a', 'three')).toBe(3);
  });
});
