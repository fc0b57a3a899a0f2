/**
 * The SecretStore the app uses: ciphertext under userData encrypted with safeStorage (Keychain on
 * macOS, DPAPI on Windows, libsecret/KWallet on Linux); see secret-store.ts for the choice.
 */
import { safeStorage } from 'electron';
import { chooseSecretStore, type Cipher, type OpenedSecretStore } from './secret-store.js';

export const safeStorageCipher: Cipher = {
  encrypt: (plain) => safeStorage.encryptStringAsync(plain),
  decrypt: async (buf) => (await safeStorage.decryptStringAsync(buf)).result,
};

/** Call after app 'ready' (safeStorage's backend is known only then). */
export async function openSecretStore(userDataDir: string): Promise<OpenedSecretStore> {
  return chooseSecretStore(userDataDir, {
    available: await safeStorage.isAsyncEncryptionAvailable(),
    backend: process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os',
    cipher: safeStorageCipher,
  });
}
