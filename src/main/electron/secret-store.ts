/**
 * Secrets (LLM keys, Home Assistant token, dashboard token) for the desktop app. The file store
 * holds ciphertext only: each value is encrypted by an injected Cipher (Electron's safeStorage in
 * the app, a test cipher under Node) and the file is written atomically (temp file + rename, mode
 * 0600). When no OS keychain is available the app uses the in-memory store: a secret is never
 * written in plain text. Nothing here logs a value; errors name the secret, never its content.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { SecretName } from '../../shared/desktop-api.js';
import { writeAtomically } from './atomic-write.js';
import { secretNameSchema } from './secret-names.js';

/** Encrypts with a key the OS keeps (safeStorage), so the ciphertext is useless on another account or machine. */
export interface Cipher {
  encrypt(plain: string): Promise<Buffer>;
  decrypt(cipher: Buffer): Promise<string>;
}

export interface SecretStore {
  get(name: SecretName): Promise<string | undefined>;
  set(name: SecretName, value: string): Promise<void>;
  delete(name: SecretName): Promise<void>;
  /** Names that have a value (never the values). */
  names(): Promise<SecretName[]>;
  /** `keychain`: encrypted on disk; `session-only`: kept in memory until quit. */
  readonly kind: 'keychain' | 'session-only';
}

export const SECRETS_FILE_VERSION = 1;

const secretsFileSchema = z.object({
  version: z.literal(SECRETS_FILE_VERSION),
  /** name → base64 ciphertext. */
  secrets: z.record(z.string(), z.string()),
});

/** A secret's value: non-empty, one line, bounded (keys and tokens, not documents). */
export const secretValueSchema = z
  .string()
  .min(1, 'a secret cannot be empty (delete it instead)')
  .max(8192, 'a secret is at most 8192 characters')
  .refine((s) => !/[\r\n]/.test(s), 'a secret is one line');

export class SecretStoreError extends Error {
  override name = 'SecretStoreError';
}

export class FileSecretStore implements SecretStore {
  readonly kind = 'keychain' as const;
  private cache: Map<SecretName, string> | undefined;
  /** Serialises writes so two quick `set`s never interleave their rename. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly cipher: Cipher,
  ) {}

  async get(name: SecretName): Promise<string | undefined> {
    const encoded = (await this.load()).get(name);
    if (encoded === undefined) return undefined;
    try {
      return await this.cipher.decrypt(Buffer.from(encoded, 'base64'));
    } catch (e) {
      // The OS key changed (another user, a reset keychain): the value is lost, not the app.
      throw new SecretStoreError(`secret "${name}" cannot be decrypted with this account's keychain (${(e as Error).message}); set it again`);
    }
  }

  async set(name: SecretName, value: string): Promise<void> {
    secretNameSchema.parse(name);
    const checked = secretValueSchema.safeParse(value);
    if (!checked.success) throw new SecretStoreError(`secret "${name}": ${checked.error.issues[0]?.message ?? 'invalid value'}`);
    const encrypted = (await this.cipher.encrypt(value)).toString('base64');
    await this.mutate((m) => m.set(name, encrypted));
  }

  async delete(name: SecretName): Promise<void> {
    await this.mutate((m) => m.delete(name));
  }

  async names(): Promise<SecretName[]> {
    return [...(await this.load()).keys()].sort();
  }

  private async load(): Promise<Map<SecretName, string>> {
    if (this.cache) return this.cache;
    let raw: string;
    try {
      raw = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return (this.cache = new Map());
      throw e;
    }
    let parsed: z.infer<typeof secretsFileSchema>;
    try {
      parsed = secretsFileSchema.parse(JSON.parse(raw));
    } catch {
      throw new SecretStoreError(`${this.file} is not a valid secrets file; move it away to start with no secrets`);
    }
    const map = new Map<SecretName, string>();
    for (const [name, value] of Object.entries(parsed.secrets)) {
      const known = secretNameSchema.safeParse(name);
      if (known.success) map.set(known.data, value); // unknown names (a newer version's) are kept out, not fatal
    }
    return (this.cache = map);
  }

  private async mutate(change: (m: Map<SecretName, string>) => void): Promise<void> {
    const run = async (): Promise<void> => {
      const next = new Map(await this.load());
      change(next);
      await writeAtomically(this.file, JSON.stringify({ version: SECRETS_FILE_VERSION, secrets: Object.fromEntries(next) }));
      this.cache = next;
    };
    const done = this.writing.then(run, run);
    this.writing = done.catch(() => undefined);
    return done;
  }
}

/** Used when the OS offers no keychain: secrets work for this session and are never written. */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'session-only' as const;
  private readonly values = new Map<SecretName, string>();

  async get(name: SecretName): Promise<string | undefined> {
    return this.values.get(name);
  }
  async set(name: SecretName, value: string): Promise<void> {
    secretNameSchema.parse(name);
    const checked = secretValueSchema.safeParse(value);
    if (!checked.success) throw new SecretStoreError(`secret "${name}": ${checked.error.issues[0]?.message ?? 'invalid value'}`);
    this.values.set(name, value);
  }
  async delete(name: SecretName): Promise<void> {
    this.values.delete(name);
  }
  async names(): Promise<SecretName[]> {
    return [...this.values.keys()].sort();
  }
}
