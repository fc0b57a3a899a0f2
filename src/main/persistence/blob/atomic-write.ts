/**
 * Replaces a file so that a reader (or the next start after a crash) sees either the old
 * content or the new one, never a torn mix: write a temp file in the same directory, fsync it,
 * rename it over the target (atomic on POSIX and NTFS), then fsync the directory so the rename
 * itself survives a power cut.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Temp files are `.<name>.<pid>-<12 hex>.tmp`: hidden, unique per writer, easy to sweep. */
export const TEMP_FILE_PATTERN = /^\..+\.\d+-[0-9a-f]{12}\.tmp$/;

export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

export interface AtomicWriteHooks {
  /** Test seam: called after the temp file is durable and before the rename. */
  beforeRename?: (tempPath: string) => void | Promise<void>;
}

export async function writeFileAtomic(target: string, data: string | Uint8Array, hooks: AtomicWriteHooks = {}): Promise<void> {
  const tmp = tempPathFor(target);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await hooks.beforeRename?.(tmp);
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fsyncDirectory(path.dirname(target));
}

async function fsyncDirectory(dir: string): Promise<void> {
  // Not possible on Windows (directories can't be opened); the rename is still atomic there.
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    /* best effort */
  } finally {
    await fh?.close().catch(() => {});
  }
}
