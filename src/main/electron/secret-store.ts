/**
 * The desktop app's secrets (LLM keys, Home Assistant token, dashboard token — and, since the hub
 * runs in the same process, the hub's own: keys saved from the dashboard and agents' `agent.env`
 * values) are kept by the core SecretStore (src/main/secrets): a FileSecretStore whose values are
 * encrypted with the OS keychain (safe-storage-cipher.ts plugs Electron's safeStorage in), or —
 * with no keychain — a MemorySecretStore, so a secret is never written in what amounts to plain
 * text. This file adds the desktop's choice between the two (pure, so it is tested under Node with
 * a test cipher) and the rule for the keys a person types in the app: known names
 * (secret-names.ts), one line, checked at the IPC boundary.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { FileSecretStore } from '../secrets/file-secret-store.js';
import { MemorySecretStore } from '../secrets/memory-secret-store.js';
import type { Cipher, SecretStore } from '../secrets/secret-store.js';

export { FileSecretStore } from '../secrets/file-secret-store.js';
export { MemorySecretStore } from '../secrets/memory-secret-store.js';
export { SecretStoreError, type Cipher, type SecretStore } from '../secrets/secret-store.js';

export const SECRETS_FILE = 'secrets.json';

/** A secret typed in the app: non-empty, one line, bounded (keys and tokens, not documents). */
export const secretValueSchema = z
  .string()
  .min(1, 'a secret cannot be empty (delete it instead)')
  .max(8192, 'a secret is at most 8192 characters')
  .refine((s) => !/[\r\n]/.test(s), 'a secret is one line');

export interface OpenedSecretStore {
  store: SecretStore;
  /** Why secrets are session-only, when they are. */
  warning?: string;
}

export interface KeychainState {
  /** safeStorage.isAsyncEncryptionAvailable(). */
  available: boolean;
  /** Linux: safeStorage.getSelectedStorageBackend(); elsewhere 'os'. */
  backend: string;
  cipher: Cipher;
}

/**
 * The keychain-backed file under userData, or memory where no real keychain exists — Linux with
 * no secret service, where safeStorage falls back to a hard-coded key ("basic_text").
 */
export function chooseSecretStore(userDataDir: string, keychain: KeychainState): OpenedSecretStore {
  if (!keychain.available || keychain.backend === 'basic_text' || keychain.backend === 'unknown') {
    return {
      store: new MemorySecretStore(),
      warning:
        'no OS keychain is available (on Linux: install and unlock a Secret Service such as gnome-keyring or KWallet); ' +
        'secrets set now are kept in memory until Wactorz quits',
    };
  }
  return { store: new FileSecretStore(join(userDataDir, SECRETS_FILE), keychain.cipher) };
}
