/** The core secret stores: the conformance suite on each, then what only a file store must do. */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSecretStore } from './file-secret-store.js';
import { MemorySecretStore } from './memory-secret-store.js';
import { SecretStoreError } from './secret-store.js';
import { aesCipher } from './testing/aes-cipher.js';
import { runSecretStoreConformance } from './testing/secret-store-conformance.js';

/** A temp folder per test for the file stores. */
function fileTarget(label: string, cipher?: ReturnType<typeof aesCipher>) {
  let dir = '';
  const file = () => join(dir, 'nested', 'secrets.json');
  return {
    label,
    kind: cipher ? ('keychain' as const) : ('file' as const),
    open: async () => {
      dir = await mkdtemp(join(tmpdir(), 'wz-secret-store-'));
      return new FileSecretStore(file(), cipher);
    },
    reopen: () => new FileSecretStore(file(), cipher),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

runSecretStoreConformance(fileTarget('FileSecretStore, plain (headless)'));
runSecretStoreConformance(fileTarget('FileSecretStore, with a keychain cipher (the desktop, cipher seam)', aesCipher()));
runSecretStoreConformance({ label: 'MemorySecretStore', kind: 'session-only', open: () => new MemorySecretStore() });

describe('FileSecretStore on disk', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wz-secret-file-'));
    file = join(dir, 'sub', 'secrets.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const KEY = 'sk-ant-THIS-IS-A-SECRET-1234567890';

  it('creates its folder 0700 and the file 0600, and keeps it 0600 after a loose chmod', async () => {
    const store = new FileSecretStore(file);
    await store.set('settings.llm_api_key', KEY);
    expect((await stat(join(dir, 'sub'))).mode & 0o777).toBe(0o700);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, encoding: 'plain', secrets: { 'settings.llm_api_key': KEY } });
    const { chmod } = await import('node:fs/promises');
    await chmod(file, 0o644);
    await store.set('settings.mqtt_password', 'p');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('with a cipher: ciphertext only on disk, unreadable with another key (named, value not echoed)', async () => {
    const cipher = aesCipher();
    await new FileSecretStore(file, cipher).set('openai_api_key', KEY);
    const onDisk = await readFile(file, 'utf8');
    expect(onDisk).not.toContain(KEY);
    expect(onDisk).not.toContain(Buffer.from(KEY).toString('base64'));
    expect(JSON.parse(onDisk)).toMatchObject({ version: 1, encoding: 'keychain', secrets: { openai_api_key: expect.any(String) } });
    const err = await new FileSecretStore(file, aesCipher()).get('openai_api_key').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretStoreError);
    expect((err as Error).message).toMatch(/openai_api_key.*set it again/);
    expect((err as Error).message).not.toContain(KEY);
  });

  it("reads the desktop app's first format (no encoding field) with its cipher", async () => {
    const cipher = aesCipher();
    const enc = (await cipher.encrypt('v1')).toString('base64');
    await writeFile(file.replace('/sub', ''), JSON.stringify({ version: 1, secrets: { anthropic_api_key: enc } }));
    expect(await new FileSecretStore(file.replace('/sub', ''), cipher).get('anthropic_api_key')).toBe('v1');
  });

  it('refuses a corrupt file or one of the other encoding, and never overwrites it', async () => {
    const flat = join(dir, 'secrets.json');
    await writeFile(flat, '{not json');
    await expect(new FileSecretStore(flat).get('a')).rejects.toThrow(/not a valid secrets file; move it away/);
    await expect(new FileSecretStore(flat).set('a', 'b')).rejects.toThrow(SecretStoreError);
    expect(await readFile(flat, 'utf8')).toBe('{not json');

    await new FileSecretStore(file).set('agent.a.T', KEY);
    await expect(new FileSecretStore(file, aesCipher()).get('agent.a.T')).rejects.toThrow(/unencrypted.*own file/);
    await new FileSecretStore(flat.replace('secrets', 'k'), aesCipher()).set('x', 'y');
    await expect(new FileSecretStore(flat.replace('secrets', 'k')).names()).rejects.toThrow(/keychain-encrypted/);
  });
});
