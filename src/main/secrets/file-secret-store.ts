/**
 * Secrets in one JSON file, readable by the owner only (0600, in a 0700 folder), replaced
 * atomically (temp file, fsync, rename) so a crash leaves the old set or the new one. With a
 * Cipher (the desktop's OS keychain) each value is stored encrypted; without one (headless) the
 * values are plain and the file's mode is what protects them.
 *
 * Format: `{version: 1, encoding: 'plain' | 'keychain', secrets: {name: value}}` — keychain
 * values are base64 ciphertext. A file without `encoding` is the desktop app's first format
 * (keychain). A file of the other encoding is refused rather than misread. Writes are serialised
 * in call order (a burst shares one write); a corrupt file is refused (never silently replaced by an empty one).
 */
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../persistence/blob/atomic-write.js';
import { checkSecret, SecretStoreError, type Cipher, type SecretStore } from './secret-store.js';

export const SECRETS_FILE_VERSION = 1;

const fileSchema = z.object({
  version: z.literal(SECRETS_FILE_VERSION),
  encoding: z.enum(['plain', 'keychain']).optional(),
  secrets: z.record(z.string(), z.string()),
});

export class FileSecretStore implements SecretStore {
  readonly kind: 'file' | 'keychain';
  private cache: Map<string, string> | undefined;
  /** Changes waiting for the next write; one write at a time, so renames never interleave. */
  private queued: { change: (m: Map<string, string>) => void; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;

  constructor(
    readonly file: string,
    private readonly cipher?: Cipher,
  ) {
    this.kind = cipher ? 'keychain' : 'file';
  }

  async get(name: string): Promise<string | undefined> {
    checkSecret(name);
    const stored = (await this.load()).get(name);
    if (stored === undefined || !this.cipher) return stored;
    try {
      return await this.cipher.decrypt(Buffer.from(stored, 'base64'));
    } catch (e) {
      // The OS key changed (another user, a reset keychain): the value is lost, not the app.
      throw new SecretStoreError(`secret "${name}" cannot be decrypted with this account's keychain (${(e as Error).message}); set it again`);
    }
  }

  set(name: string, value: string): Promise<void> {
    return this.update({ [name]: value });
  }

  delete(name: string): Promise<void> {
    return this.update({ [name]: null });
  }

  async update(changes: Readonly<Record<string, string | null>>): Promise<void> {
    const encoded: [string, string | null][] = [];
    for (const [name, value] of Object.entries(changes)) {
      checkSecret(name, value ?? undefined);
      encoded.push([name, value === null ? null : await this.encode(value)]);
    }
    if (encoded.length) await this.mutate((m) => encoded.forEach(([n, v]) => (v === null ? m.delete(n) : m.set(n, v))));
  }

  async names(prefix = ''): Promise<string[]> {
    return [...(await this.load()).keys()].filter((n) => n.startsWith(prefix)).sort();
  }

  private async encode(value: string): Promise<string> {
    return this.cipher ? (await this.cipher.encrypt(value)).toString('base64') : value;
  }

  private async load(): Promise<Map<string, string>> {
    if (this.cache) return this.cache;
    let raw: string;
    try {
      raw = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return (this.cache = new Map());
      throw e;
    }
    let parsed: z.infer<typeof fileSchema>;
    try {
      parsed = fileSchema.parse(JSON.parse(raw));
    } catch {
      throw new SecretStoreError(`${this.file} is not a valid secrets file; move it away to start with no secrets`);
    }
    const encoding = parsed.encoding ?? 'keychain';
    if (encoding !== (this.cipher ? 'keychain' : 'plain')) {
      throw new SecretStoreError(
        `${this.file} holds ${encoding === 'plain' ? 'unencrypted' : 'keychain-encrypted'} secrets, and this store ${this.cipher ? 'encrypts' : 'has no keychain'}: ` +
          'point it at its own file',
      );
    }
    const map = new Map<string, string>();
    for (const [name, value] of Object.entries(parsed.secrets)) map.set(name, value);
    return (this.cache = map);
  }

  /**
   * Queues a change; changes that arrive while a write is in flight go out together in the next
   * one (one fsync for a burst of spawns), each caller resolved once its change is on disk.
   */
  private mutate(change: (m: Map<string, string>) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ change, resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    while (this.queued.length) {
      const batch = this.queued.splice(0);
      try {
        const next = new Map(await this.load());
        for (const b of batch) b.change(next);
        const body = { version: SECRETS_FILE_VERSION, encoding: this.cipher ? 'keychain' : 'plain', secrets: Object.fromEntries([...next].sort(([a], [b]) => (a < b ? -1 : 1))) };
        await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
        await writeFileAtomic(this.file, JSON.stringify(body));
        // The temp file was created 0600; chmod again in case an old file or the OS said otherwise.
        await chmod(this.file, 0o600).catch(() => undefined);
        this.cache = next;
        for (const b of batch) b.resolve();
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
    this.flushing = false;
  }
}
