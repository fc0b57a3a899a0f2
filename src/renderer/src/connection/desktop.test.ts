import { afterEach, describe, expect, it } from 'vitest';
import { bridgeConnection, getBridge } from './bridge.js';
import { apiKeySecret, secretBridge, secretStatus } from './desktop-secrets.js';
import { desktopBridge } from './desktop.js';

const g = globalThis as { wactorz?: unknown };

describe('the desktop bridge as the page sees it', () => {
  afterEach(() => {
    delete g.wactorz;
  });

  it('is absent in a browser', async () => {
    expect(getBridge()).toBeUndefined();
    expect(desktopBridge()).toBeNull();
    expect(secretBridge()).toBeNull();
    expect(await secretStatus()).toBeNull();
    expect(await bridgeConnection()).toBeUndefined();
  });

  it('is used only when it offers what the page calls, and its answers are validated', async () => {
    const fn = async () => undefined;
    g.wactorz = {
      isDesktop: true,
      connection: () => ({ baseUrl: 'http://127.0.0.1:8888', token: null }),
      getInfo: fn,
      getLoginItem: fn,
      setLoginItem: fn,
      getSettings: fn,
      updateSettings: fn,
      listSecrets: async () => [{ name: 'openai_api_key', set: true }, { name: 'bogus' }],
      setSecret: fn,
      deleteSecret: fn,
    };
    expect(desktopBridge()).not.toBeNull();
    expect(await bridgeConnection()).toEqual({ baseUrl: 'http://127.0.0.1:8888', token: null });
    // A malformed secret list is not trusted at all.
    expect(await secretStatus()).toBeNull();
    (g.wactorz as { listSecrets: () => Promise<unknown> }).listSecrets = async () => [{ name: 'openai_api_key', set: true }];
    expect(await secretStatus()).toEqual(new Map([['openai_api_key', true]]));
    // A preload missing a method is not a desktop bridge.
    delete (g.wactorz as { updateSettings?: unknown }).updateSettings;
    expect(desktopBridge()).toBeNull();
  });

  it('names the keychain entry of each provider’s key', () => {
    expect(apiKeySecret('anthropic')).toBe('anthropic_api_key');
    expect(apiKeySecret('gemini')).toBe('gemini_api_key');
    expect(apiKeySecret('ollama')).toBeNull();
    expect(apiKeySecret('none')).toBeNull();
  });
});
