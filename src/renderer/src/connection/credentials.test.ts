import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../lib/storage.js';
import { deriveUrls, resolveTarget, takeTokenFromUrl, TOKEN_KEY } from './credentials.js';

describe('deriveUrls', () => {
  it('puts the API and the broker beside the page', () => {
    expect(deriveUrls('http://10.0.0.5:8888/')).toEqual({ baseUrl: 'http://10.0.0.5:8888/', apiUrl: 'http://10.0.0.5:8888/api/', mqttUrl: 'ws://10.0.0.5:8888/mqtt' });
    expect(deriveUrls('https://hub.example/wactorz/index.html?x=1#/chat')).toEqual({
      baseUrl: 'https://hub.example/wactorz/',
      apiUrl: 'https://hub.example/wactorz/api/',
      mqttUrl: 'wss://hub.example/wactorz/mqtt',
    });
  });
});

describe('takeTokenFromUrl', () => {
  it('removes the token from the address bar and keeps the rest', () => {
    let replaced = '';
    expect(takeTokenFromUrl('http://h:8888/?token=abc&x=1#/chat', (u) => (replaced = u))).toBe('abc');
    expect(replaced).toBe('http://h:8888/?x=1#/chat');
  });

  it('leaves a URL without a token alone', () => {
    let called = false;
    expect(takeTokenFromUrl('http://h:8888/#/chat', () => (called = true))).toBeNull();
    expect(called).toBe(false);
  });
});

describe('resolveTarget', () => {
  it('takes the token from the URL once and remembers it', async () => {
    const storage = new MemoryStorage();
    const urls: string[] = [];
    const first = await resolveTarget({ href: 'http://h:8888/?token=s3cret', replaceUrl: (u) => urls.push(u), storage });
    expect(first).toMatchObject({ token: 's3cret', apiUrl: 'http://h:8888/api/', source: 'page' });
    expect(storage.getItem(TOKEN_KEY)).toBe('s3cret');
    expect(urls).toEqual(['http://h:8888/']);
    const later = await resolveTarget({ href: 'http://h:8888/#/agents', replaceUrl: () => undefined, storage });
    expect(later.token).toBe('s3cret');
  });

  it('prefers the Electron preload and validates what it says', async () => {
    const storage = new MemoryStorage();
    const t = await resolveTarget({ href: 'file:///app/index.html', replaceUrl: () => undefined, storage, bridge: { connection: () => ({ baseUrl: 'http://127.0.0.1:9999', token: 'tk' }) } });
    expect(t).toEqual({ baseUrl: 'http://127.0.0.1:9999/', apiUrl: 'http://127.0.0.1:9999/api/', mqttUrl: 'ws://127.0.0.1:9999/mqtt', token: 'tk', source: 'bridge' });
    // A bridge answering nonsense is ignored; a file:// page falls back to the local hub.
    const bad = await resolveTarget({ href: 'file:///app/index.html', replaceUrl: () => undefined, storage, bridge: { connection: () => ({ baseUrl: 'javascript:x' }) as never } });
    expect(bad).toMatchObject({ baseUrl: 'http://127.0.0.1:8888/', source: 'page' });
  });
});
