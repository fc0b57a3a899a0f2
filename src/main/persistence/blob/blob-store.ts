/**
 * The blob tier: one file per (actor, key) under `<stateDir>/<actor>/` — `<key>.json` for JSON
 * values, `<key>.bin` for bytes (Buffer/Uint8Array, recalled as a Buffer). Writes are atomic
 * (atomic-write.ts) and serialised per key, so the last persist() called wins and a recall()
 * issued after a persist() sees it.
 */
import { mkdir, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { decodeJson, encodeJson, isBinary } from '../json-value.js';
import { fromFileStem, toFileStem } from '../safe-name.js';
import { TEMP_FILE_PATTERN, writeFileAtomic, type AtomicWriteHooks } from './atomic-write.js';

const JSON_EXT = '.json';
const BIN_EXT = '.bin';

export class BlobStore {
  /** Per-file queue of operations: a promise that settles when the last queued one has. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Test seam for atomicity checks. */
  hooks: AtomicWriteHooks = {};

  constructor(readonly stateDir: string) {}

  actorDir(actor: string): string {
    return path.join(this.stateDir, toFileStem('actor', actor));
  }

  /** The two possible files for (actor, key); validates both names. */
  paths(actor: string, key: string): { json: string; bin: string } {
    const base = path.join(this.actorDir(actor), toFileStem('key', key));
    return { json: base + JSON_EXT, bin: base + BIN_EXT };
  }

  async set(actor: string, key: string, value: unknown): Promise<void> {
    const p = this.paths(actor, key);
    // Encode synchronously so a bad value fails the call, not a queued task.
    const binary = isBinary(value);
    const data = binary ? (value as Uint8Array) : encodeJson(value, `blob ${actor}/${key}`);
    const [target, other] = binary ? [p.bin, p.json] : [p.json, p.bin];
    return this.enqueue(p.json, async () => {
      await ensureDir(path.dirname(target));
      try {
        await writeFileAtomic(target, data, this.hooks);
      } catch (err) {
        // forgetActor may have removed the directory meanwhile: recreate it once.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await ensureDir(path.dirname(target));
        await writeFileAtomic(target, data, this.hooks);
      }
      // The previous value may have had the other kind; new file first, so a crash in between keeps the newest.
      await unlinkIfExists(other);
    });
  }

  async get<T>(actor: string, key: string): Promise<T | undefined> {
    const p = this.paths(actor, key);
    return this.enqueue(p.json, async () => {
      const [j, b] = await Promise.all([statOrNull(p.json), statOrNull(p.bin)]);
      if (!j && !b) return undefined;
      if (b && (!j || b.mtimeMs > j.mtimeMs)) return (await readFile(p.bin)) as T;
      return decodeJson<T>(await readFile(p.json, 'utf8'), `blob ${actor}/${key}`);
    });
  }

  async delete(actor: string, key: string): Promise<void> {
    const p = this.paths(actor, key);
    return this.enqueue(p.json, async () => {
      await unlinkIfExists(p.json);
      await unlinkIfExists(p.bin);
      // The actor directory stays (removing it would race with writes of other keys); forgetActor removes it.
    });
  }

  async deleteActor(actor: string): Promise<void> {
    const dir = this.actorDir(actor);
    await this.flush();
    await rm(dir, { recursive: true, force: true });
  }

  async keys(actor: string): Promise<string[]> {
    const dir = this.actorDir(actor);
    const names = await readdir(dir).catch(() => [] as string[]);
    const keys = new Set<string>();
    for (const n of names) {
      if (n.startsWith('.')) continue;
      const ext = n.endsWith(JSON_EXT) ? JSON_EXT : n.endsWith(BIN_EXT) ? BIN_EXT : null;
      if (ext) keys.add(fromFileStem(n.slice(0, -ext.length)));
    }
    return [...keys].sort();
  }

  /** Resolves when every write queued so far has finished (errors were already reported to their callers). */
  async flush(): Promise<void> {
    while (this.queues.size > 0) await Promise.allSettled([...this.queues.values()]);
  }

  /** Removes temp files left by a crash mid-write. Returns how many. */
  async sweepTempFiles(): Promise<number> {
    let removed = 0;
    const entries = await readdir(this.stateDir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const dir = path.join(this.stateDir, e.name);
      for (const n of await readdir(dir).catch(() => [] as string[])) {
        if (TEMP_FILE_PATTERN.test(n) && (await unlink(path.join(dir, n)).then(() => true, () => false))) removed++;
      }
    }
    return removed;
  }

  private enqueue<T>(file: string, op: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(file) ?? Promise.resolve();
    const next = prev.then(op, op);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(file, tail);
    void tail.then(() => {
      if (this.queues.get(file) === tail) this.queues.delete(file);
    });
    return next;
  }
}

async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

async function statOrNull(file: string) {
  return stat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
}

async function unlinkIfExists(file: string): Promise<void> {
  await unlink(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
