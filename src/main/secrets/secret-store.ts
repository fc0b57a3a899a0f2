/**
 * The one place a secret value is kept: LLM keys and tokens saved from the dashboard, and the
 * values of the declared secrets an agent gets as `agent.env`. Never SQLite, never a log line,
 * never an API answer: only this store holds them, and only the hub reads them back.
 *
 * Implementations (every one passes ./testing/secret-store-conformance.ts):
 * - FileSecretStore without a cipher — the headless hub: `<stateDir>/secrets.json`, owner-only
 *   (0600) in an owner-only state dir (0700). A headless machine has no keychain to ask.
 * - FileSecretStore with the OS keychain's cipher — the desktop app (src/main/electron plugs
 *   Electron's safeStorage in): the file holds ciphertext only.
 * - MemorySecretStore — nothing written (tests, and a desktop with no keychain for its own keys).
 *
 * Names are namespaced by a dot: `settings.llm_api_key`, `agent.<agent>.<ENV_NAME>`; the
 * desktop's own keys (`anthropic_api_key`…) have no namespace. Errors name the secret, never
 * its value.
 */
import { z } from 'zod';

export interface SecretStore {
  /**
   * `file`: a plain owner-only file; `keychain`: encrypted with a key the OS keeps;
   * `session-only`: in memory until the process ends.
   */
  readonly kind: 'file' | 'keychain' | 'session-only';
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
  /**
   * Sets (a string) and deletes (null) several secrets at once: all of them are written, or —
   * when it throws — none is.
   */
  update(changes: Readonly<Record<string, string | null>>): Promise<void>;
  /** Names that have a value (never the values), sorted; only those starting with `prefix` if given. */
  names(prefix?: string): Promise<string[]>;
}

/** Encrypts with a key the OS keeps (Electron's safeStorage), so the ciphertext is useless on another account or machine. */
export interface Cipher {
  encrypt(plain: string): Promise<Buffer>;
  decrypt(cipher: Buffer): Promise<string>;
}

export class SecretStoreError extends Error {
  override name = 'SecretStoreError';
}

/** Letters, digits, `_` and `-`, in dot-separated parts (`agent.weather.API_KEY`). */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
export const MAX_SECRET_NAME = 200;
/** Keys, tokens and the odd PEM certificate, not documents. */
export const MAX_SECRET_VALUE = 65_536;

export const secretStoreNameSchema = z
  .string()
  .max(MAX_SECRET_NAME, `a secret name is at most ${MAX_SECRET_NAME} characters`)
  .regex(SECRET_NAME_PATTERN, 'a secret name is letters, digits, _ and - in dot-separated parts');

/** Throws a SecretStoreError naming what is wrong; never echoes the value. */
export function checkSecret(name: string, value?: string): void {
  const n = secretStoreNameSchema.safeParse(name);
  if (!n.success) throw new SecretStoreError(`invalid secret name ${JSON.stringify(name.slice(0, 80))}: ${n.error.issues[0]?.message ?? 'invalid'}`);
  if (value === undefined) return;
  if (typeof value !== 'string') throw new SecretStoreError(`secret "${name}": the value must be a string`);
  if (value.length > MAX_SECRET_VALUE) throw new SecretStoreError(`secret "${name}": a secret is at most ${MAX_SECRET_VALUE} characters`);
}
