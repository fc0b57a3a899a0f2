import { describe, expect, it } from 'vitest';
import { bindCredentials, sameDestination, type CredentialDestinations } from './credential-binding.js';

const current: CredentialDestinations = {
  llm: { provider: 'openai', baseUrl: 'https://u:pw@proxy.example/v1' },
  homeAssistant: { url: 'http://ha.local:8123' },
  mqtt: { broker: 'broker.lan', port: 1883 },
};

describe('bindCredentials', () => {
  it('keeps the key when nothing about the destination changes', () => {
    for (const llm of [{ model: 'gpt-4o' }, { provider: 'openai' as const }, { baseUrl: 'https://u:pw@PROXY.example:443/v1/' }, { baseUrl: 'https://u:***@proxy.example/v1' }]) {
      const r = bindCredentials({ llm }, current);
      expect(r.dropped, JSON.stringify(llm)).toEqual([]);
      expect(r.patch.llm?.apiKey).toBeUndefined();
    }
    // The redacted URL as shown is replaced by the real one (the store must not save `***`).
    expect(bindCredentials({ llm: { baseUrl: 'https://u:***@proxy.example/v1' } }, current).patch.llm?.baseUrl).toBe('https://u:pw@proxy.example/v1');
  });

  it('drops the key when the provider, the host, the path, the password or the scheme changes — unless it is given', () => {
    for (const llm of [
      { provider: 'anthropic' as const },
      { baseUrl: 'https://u:pw@evil.example/v1' },
      { baseUrl: 'https://u:pw@proxy.example/v2' },
      { baseUrl: 'https://u:other@proxy.example/v1' },
      { baseUrl: 'http://u:pw@proxy.example/v1' },
      { baseUrl: 'https://u:***@evil.example/v1' },
      { baseUrl: null },
    ]) {
      const r = bindCredentials({ llm }, current);
      expect(r.patch.llm?.apiKey, JSON.stringify(llm)).toBeNull();
      expect(r.dropped).toEqual(['LLM API key']);
      expect(bindCredentials({ llm: { ...llm, apiKey: 'sk-new' } }, current)).toMatchObject({ patch: { llm: { apiKey: 'sk-new' } }, dropped: [] });
    }
  });

  it("treats an unset base URL as the provider's default", () => {
    const official = { ...current, llm: { provider: 'anthropic', baseUrl: undefined } };
    expect(bindCredentials({ llm: { baseUrl: 'https://api.anthropic.com/' } }, official).dropped).toEqual([]);
    expect(bindCredentials({ llm: { baseUrl: 'https://api.anthropic.com.evil.example' } }, official).dropped).toEqual(['LLM API key']);
  });

  it('Home Assistant token and MQTT password follow the same rule', () => {
    expect(bindCredentials({ homeAssistant: { url: 'http://evil:8123' } }, current)).toMatchObject({ patch: { homeAssistant: { token: null } }, dropped: ['Home Assistant token'] });
    expect(bindCredentials({ homeAssistant: { url: 'http://ha.local:8123/' } }, current).dropped).toEqual([]);
    expect(bindCredentials({ homeAssistant: { url: 'http://evil:8123', token: 't' } }, current).dropped).toEqual([]);
    expect(bindCredentials({ mqtt: { broker: 'evil.example' } }, current)).toMatchObject({ patch: { mqtt: { password: '' } }, dropped: ['MQTT password'] });
    expect(bindCredentials({ mqtt: { port: 8883 } }, current).dropped).toEqual(['MQTT password']);
    expect(bindCredentials({ mqtt: { username: 'x', port: 1883, broker: 'broker.lan' } }, current).dropped).toEqual([]);
  });

  it('never changes the patch it was given', () => {
    const asked = { llm: { baseUrl: 'https://evil.example' } };
    bindCredentials(asked, current);
    expect(asked).toEqual({ llm: { baseUrl: 'https://evil.example' } });
  });

  it('sameDestination: case of scheme and host, default port and trailing slash do not matter', () => {
    expect(sameDestination('HTTP://Host:80/a/', 'http://host/a')).toBe(true);
    expect(sameDestination('http://host/a', 'http://host/b')).toBe(false);
    expect(sameDestination(null, undefined)).toBe(true);
    expect(sameDestination('not a url/', 'not a url')).toBe(true);
  });
});
