import { describe, expect, it } from 'vitest';
import { haWebSocketUrl, normalizeHaUrl, resolveHaConfig } from './ha-config.js';

describe('resolveHaConfig', () => {
  it('reads HA_URL / HA_TOKEN and normalises the URL', () => {
    const r = resolveHaConfig({ HA_URL: 'http://ha.local:8123/api/', HA_TOKEN: ' abc ' });
    expect(r).toEqual({ configured: true, config: { url: 'http://ha.local:8123', token: 'abc' } });
  });

  it('falls back to HOME_ASSISTANT_URL / HOME_ASSISTANT_TOKEN', () => {
    const r = resolveHaConfig({ HOME_ASSISTANT_URL: 'homeassistant.local:8123', HOME_ASSISTANT_TOKEN: 't' });
    expect(r).toEqual({ configured: true, config: { url: 'http://homeassistant.local:8123', token: 't' } });
  });

  it('prefers HA_* over HOME_ASSISTANT_*', () => {
    const r = resolveHaConfig({ HA_URL: 'http://a:1', HOME_ASSISTANT_URL: 'http://b:2', HA_TOKEN: 'x', HOME_ASSISTANT_TOKEN: 'y' });
    expect(r.configured && r.config).toEqual({ url: 'http://a:1', token: 'x' });
  });

  it('says which variable is missing', () => {
    const none = resolveHaConfig({});
    expect(none.configured).toBe(false);
    expect(!none.configured && none.reason).toMatch(/HA_URL and HA_TOKEN/);
    const noToken = resolveHaConfig({ HA_URL: 'http://ha:8123' });
    expect(!noToken.configured && noToken.reason).toMatch(/HA_TOKEN .*missing/);
    const noUrl = resolveHaConfig({ HA_TOKEN: 'x', HA_URL: '  ' });
    expect(!noUrl.configured && noUrl.reason).toMatch(/HA_URL .*missing/);
  });

  it('rejects something that is not a URL with a readable reason', () => {
    const r = resolveHaConfig({ HA_URL: 'ftp://ha', HA_TOKEN: 'x' });
    expect(!r.configured && r.reason).toMatch(/http:\/\/ or https:\/\//);
    const bad = resolveHaConfig({ HA_URL: 'http://exa mple', HA_TOKEN: 'x' });
    expect(bad.configured).toBe(false);
  });
});

describe('URLs', () => {
  it('turns a pasted WebSocket URL into the base URL, and back', () => {
    expect(normalizeHaUrl('wss://ha.example.com/api/websocket')).toBe('https://ha.example.com');
    expect(haWebSocketUrl('https://ha.example.com')).toBe('wss://ha.example.com/api/websocket');
    expect(haWebSocketUrl('http://127.0.0.1:8123')).toBe('ws://127.0.0.1:8123/api/websocket');
    // Behind a reverse proxy on a sub-path.
    expect(normalizeHaUrl('https://example.com/ha/')).toBe('https://example.com/ha');
  });
});
