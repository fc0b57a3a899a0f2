import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSecretStore, MemorySecretStore, SecretStoreError } from './secret-store.js';
import { aesCipher } from './testing/aes-cipher.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wactorz-secrets-'));
  file = join(dir, 'secrets.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KEY = 'sk-ant-THIS-IS-A-SECRET-1234567890';

describe('FileSecretStore', () => {
  it('round-trips a secret and never writes it in plain text', async () => {
    const cipher = aesCipher();
    const store = new FileSecretStore(file, cipher);
    await store.set('anthropic_api_key', KEY);
    expect(await store.get('anthropic_api_key')).toBe(KEY);
    const onDisk = await readFile(file, 'utf8');
    expect(onDisk).not.toContain(KEY);
    expect(onDisk).not.toContain(Buffer.from(KEY).toString('base64'));
    expect(JSON.parse(onDisk)).toMatchObject({ version: 1, secrets: { anthropic_api_key: expect.any(String) } });
    // A new store on the same file and key (the next app start) reads it back.
    expect(await new FileSecretStore(file, cipher).get('anthropic_api_key')).toBe(KEY);
  });

  it('writes the file for the owner only', async () => {
    const store = new FileSecretStore(file, aesCipher());
    await store.set('openai_api_key', 'sk-1');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('lists names, deletes, and returns undefined for what is not set', async () => {
    const store = new FileSecretStore(file, aesCipher());
    expect(await store.get('gemini_api_key')).toBeUndefined();
    await store.set('gemini_api_key', 'g');
    await store.set('home_assistant_token', 'h');
    expect(await store.names()).toEqual(['gemini_api_key', 'home_assistant_token']);
    await store.delete('gemini_api_key');
    expect(await store.names()).toEqual(['home_assistant_token']);
    expect(await store.get('gemini_api_key')).toBeUndefined();
  });

  it('keeps every one of many concurrent writes', async () => {
    const cipher = aesCipher();
    const store = new FileSecretStore(file, cipher);
    const names = ['anthropic_api_key', 'openai_api_key', 'nim_api_key', 'gemini_api_key', 'home_assistant_token', 'mqtt_password'] as const;
    await Promise.all(names.map((n, i) => store.set(n, `value-${i}`)));
    const reread = new FileSecretStore(file, cipher);
    for (const [i, n] of names.entries()) expect(await reread.get(n)).toBe(`value-${i}`);
  });

  it('says which secret cannot be decrypted with another key, without its value', async () => {
    await new FileSecretStore(file, aesCipher()).set('openai_api_key', KEY);
    const other = new FileSecretStore(file, aesCipher());
    const err = await other.get('openai_api_key').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretStoreError);
    expect((err as Error).message).toMatch(/openai_api_key.*set it again/);
    expect((err as Error).message).not.toContain(KEY);
  });

  it('refuses empty, multi-line and unknown secrets without echoing the value', async () => {
    const store = new FileSecretStore(file, aesCipher());
    await expect(store.set('openai_api_key', '')).rejects.toThrow(/cannot be empty/);
    const err = await store.set('openai_api_key', 'abc\ndef-SECRET').catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/one line/);
    expect((err as Error).message).not.toContain('SECRET');
    // @ts-expect-error an unknown name is a type error too
    await expect(store.set('aws_key', 'x')).rejects.toThrow();
    expect(await store.names()).toEqual([]);
  });

  it('reports a corrupt file clearly and ignores names it does not know', async () => {
    await writeFile(file, '{not json');
    await expect(new FileSecretStore(file, aesCipher()).get('openai_api_key')).rejects.toThrow(/not a valid secrets file/);
    const cipher = aesCipher();
    const enc = (await cipher.encrypt('v')).toString('base64');
    await writeFile(file, JSON.stringify({ version: 1, secrets: { openai_api_key: enc, from_the_future: enc } }));
    const store = new FileSecretStore(file, cipher);
    expect(await store.names()).toEqual(['openai_api_key']);
    expect(await store.get('openai_api_key')).toBe('v');
  });
});

describe('MemorySecretStore', () => {
  it('keeps secrets for the session only and validates like the file store', async () => {
    const store = new MemorySecretStore();
    expect(store.kind).toBe('session-only');
    await store.set('dashboard_token', 't');
    expect(await store.get('dashboard_token')).toBe('t');
    expect(await store.names()).toEqual(['dashboard_token']);
    await expect(store.set('dashboard_token', '')).rejects.toThrow(SecretStoreError);
    await store.delete('dashboard_token');
    expect(await store.names()).toEqual([]);
  });
});
