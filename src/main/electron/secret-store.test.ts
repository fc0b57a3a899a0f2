/**
 * The desktop's secret store is the core FileSecretStore with the OS keychain's cipher: the
 * conformance suite runs on it exactly as the app opens it, with a real AES cipher standing in
 * for safeStorage (the cipher seam). The same suite against the real safeStorage needs the
 * Electron runtime: under plain Node (here, CI) that block is skipped, and says so.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aesCipher } from '../secrets/testing/aes-cipher.js';
import { runSecretStoreConformance } from '../secrets/testing/secret-store-conformance.js';
import { chooseSecretStore, FileSecretStore, MemorySecretStore, secretValueSchema, type Cipher } from './secret-store.js';

function keychainTarget(label: string, cipher: () => Promise<Cipher> | Cipher) {
  let dir = '';
  let key: Cipher;
  const open = () => chooseSecretStore(dir, { available: true, backend: 'gnome_libsecret', cipher: key }).store;
  return {
    label,
    kind: 'keychain' as const,
    open: async () => {
      dir = await mkdtemp(join(tmpdir(), 'wz-desktop-secrets-'));
      key = await cipher();
      return open();
    },
    reopen: open,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

runSecretStoreConformance(keychainTarget('desktop keychain store (cipher seam: AES-256-GCM for safeStorage)', () => aesCipher()));

const inElectron = Boolean(process.versions.electron);
describe.skipIf(!inElectron)('desktop keychain store with the real safeStorage (needs the Electron runtime; skipped under plain Node)', () => {
  // Imported only inside Electron: under Node the electron package is a path, not the API.
  runSecretStoreConformance(keychainTarget('desktop keychain store (real safeStorage)', async () => (await import('./safe-storage-cipher.js')).safeStorageCipher));
});

describe('the desktop chooses where secrets live', () => {
  it('the keychain-encrypted file under userData when a real keychain is there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wz-desktop-choose-'));
    try {
      const { store, warning } = chooseSecretStore(dir, { available: true, backend: 'kwallet5', cipher: aesCipher() });
      expect(store).toBeInstanceOf(FileSecretStore);
      expect(store.kind).toBe('keychain');
      expect(warning).toBeUndefined();
      await store.set('anthropic_api_key', 'sk-ant-DESKTOP-KEY');
      expect(await readFile(join(dir, 'secrets.json'), 'utf8')).not.toContain('sk-ant-DESKTOP-KEY');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("memory only (with a warning) where safeStorage would use a hard-coded key or none", () => {
    for (const keychain of [
      { available: false, backend: 'gnome_libsecret' },
      { available: true, backend: 'basic_text' },
      { available: true, backend: 'unknown' },
    ]) {
      const { store, warning } = chooseSecretStore('/nonexistent', { ...keychain, cipher: aesCipher() });
      expect(store).toBeInstanceOf(MemorySecretStore);
      expect(store.kind).toBe('session-only');
      expect(warning).toMatch(/no OS keychain.*kept in memory/);
    }
  });

  it('a key typed in the app is non-empty, one line and bounded; the refusal never echoes it', () => {
    expect(secretValueSchema.safeParse('sk-1').success).toBe(true);
    for (const bad of ['', 'abc\ndef-SECRET', 'x'.repeat(8193)]) {
      const r = secretValueSchema.safeParse(bad);
      expect(r.success).toBe(false);
      expect(JSON.stringify(r.error?.issues.map((i) => i.message))).not.toContain('SECRET');
    }
  });
});
