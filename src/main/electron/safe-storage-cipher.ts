/**
 * The SecretStore the app uses: ciphertext under userData encrypted with safeStorage (Keychain on
 * macOS, DPAPI on Windows, libsecret/KWallet on Linux). Where no real keychain exists — Linux with
 * no secret service, where safeStorage falls back to a hard-coded key ("basic_text") — secrets
 * are kept in memory for the session instead, never written in what amounts to plain text.
 */
import { safeStorage } from 'electron';
import { join } from 'node:path';
import { FileSecretStore, MemorySecretStore, type Cipher, type SecretStore } from './secret-store.js';

export const SECRETS_FILE = 'secrets.json';

const safeStorageCipher: Cipher = {
  encrypt: (plain) => safeStorage.encryptStringAsync(plain),
  decrypt: async (buf) => (await safeStorage.decryptStringAsync(buf)).result,
};

export interface OpenedSecretStore {
  store: SecretStore;
  /** Why secrets are session-only, when they are. */
  warning?: string;
}

/** Call after app 'ready' (safeStorage's backend is known only then). */
export async function openSecretStore(userDataDir: string): Promise<OpenedSecretStore> {
  const available = await safeStorage.isAsyncEncryptionAvailable();
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
  if (!available || backend === 'basic_text' || backend === 'unknown') {
    return {
      store: new MemorySecretStore(),
      warning:
        'no OS keychain is available (on Linux: install and unlock a Secret Service such as gnome-keyring or KWallet); ' +
        'secrets set now are kept in memory until Wactorz quits',
    };
  }
  return { store: new FileSecretStore(join(userDataDir, SECRETS_FILE), safeStorageCipher) };
}
