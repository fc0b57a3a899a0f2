/**
 * Actor and key names become directory and file names in the blob tier. Anything that could
 * escape the state directory (separators, `.`/`..`, leading dots, control characters) is
 * rejected with a clear error; other characters that some file systems dislike (`:`, spaces,
 * non-ASCII…) are percent-encoded so names stay portable (Windows, macOS) and reversible.
 */

export class UnsafeNameError extends Error {
  override name = 'UnsafeNameError';
}

const MAX_NAME_LENGTH = 512;
const MAX_FILE_STEM = 200; // leaves room for `.json`/`.bin` and tmp suffixes under the 255-byte limit
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const SAFE_CHAR = /[A-Za-z0-9._@+=,-]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;
/** Entries of the state directory that an actor directory must never shadow. */
const RESERVED_ACTOR_DIRS = new Set(['wactorz.db', 'wactorz.db-wal', 'wactorz.db-shm', 'wactorz.db-journal']);

/** Checks what every tier needs: a non-empty string without control characters. */
export function assertValidName(what: 'actor' | 'key', name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new UnsafeNameError(`${what} name must be a non-empty string (got ${JSON.stringify(name) ?? String(name)})`);
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new UnsafeNameError(`${what} name is too long (${name.length} > ${MAX_NAME_LENGTH} characters)`);
  }
  if (CONTROL_CHARS.test(name)) {
    throw new UnsafeNameError(`${what} name ${JSON.stringify(name)} contains control characters`);
  }
}

/** A file or directory name for `name`, or an UnsafeNameError explaining why there is none. */
export function toFileStem(what: 'actor' | 'key', name: string): string {
  assertValidName(what, name);
  if (name.includes('/') || name.includes('\\') || name === '.' || name === '..' || name.startsWith('.')) {
    throw new UnsafeNameError(
      `${what} name ${JSON.stringify(name)} is not allowed as a file name: path separators, "." / ".." and leading dots are rejected (path traversal)`,
    );
  }
  if (WINDOWS_RESERVED.test(name)) {
    throw new UnsafeNameError(`${what} name ${JSON.stringify(name)} is a reserved device name on Windows`);
  }
  if (what === 'actor' && RESERVED_ACTOR_DIRS.has(name.toLowerCase())) {
    throw new UnsafeNameError(`actor name ${JSON.stringify(name)} collides with the database file in the state directory`);
  }
  let stem = '';
  for (const ch of name) {
    stem += SAFE_CHAR.test(ch) ? ch : percentEncode(what, name, ch);
  }
  if (stem.length > MAX_FILE_STEM) {
    throw new UnsafeNameError(`${what} name ${JSON.stringify(name.slice(0, 40))}… is too long for a file name`);
  }
  return stem;
}

function percentEncode(what: string, name: string, ch: string): string {
  try {
    // encodeURIComponent leaves !'()*~ alone; encode them too so the result is plain [A-Za-z0-9%._@+=,-].
    return encodeURIComponent(ch).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  } catch {
    throw new UnsafeNameError(`${what} name ${JSON.stringify(name)} is not valid Unicode (lone surrogate)`);
  }
}

/** Inverse of toFileStem (for listing keys from file names). */
export function fromFileStem(stem: string): string {
  return decodeURIComponent(stem);
}
