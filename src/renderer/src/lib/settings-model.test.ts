import { describe, expect, it } from 'vitest';
import { draftFrom, patchFromDraft, settingsFromApi, withProvider } from './settings-model.js';

describe('settingsFromApi', () => {
  it('reads camelCase settings and secret flags', () => {
    // The hub's SettingsView (src/shared/settings.ts).
    const m = settingsFromApi({
      llm: { provider: 'ollama', model: 'llama3.2', baseUrl: 'http://127.0.0.1:11434', apiKeySet: false, summary: 'Ollama llama3.2' },
      homeAssistant: { url: 'http://ha:8123', tokenSet: true, configured: false, reason: 'unreachable' },
      mqtt: { broker: null, port: 1883, username: null, passwordSet: false, mode: 'embedded' },
      restartRequired: true,
    });
    expect(m).toEqual({
      llm: { provider: 'ollama', model: 'llama3.2', baseUrl: 'http://127.0.0.1:11434', apiKeySet: false, summary: 'Ollama llama3.2' },
      homeAssistant: { url: 'http://ha:8123', tokenSet: true, configured: false, reason: 'unreachable' },
      mqtt: { broker: '', port: 1883, username: '', passwordSet: false, mode: 'embedded' },
      restartRequired: true,
    });
  });

  it('reads snake_case and masked secrets', () => {
    const m = settingsFromApi({ llm: { provider: 'anthropic', api_key: '****' }, home_assistant: { url: 'x', token_set: false } });
    expect(m.llm.apiKeySet).toBe(true);
    expect(m.homeAssistant.tokenSet).toBe(false);
    expect(m.mqtt.port).toBeNull();
  });

  it('survives garbage', () => {
    expect(settingsFromApi('nope').llm.provider).toBe('none');
  });
});

describe('patchFromDraft', () => {
  const model = settingsFromApi({ llm: { provider: 'anthropic', model: 'claude', apiKeySet: true }, homeAssistant: { url: '', tokenSet: false }, mqtt: { port: 1883 } });

  it('is empty when nothing changed', () => {
    expect(patchFromDraft(model, draftFrom(model))).toEqual({ ok: true, patch: {}, empty: true });
  });

  it('sends only what changed, and secrets only when typed', () => {
    const d = { ...draftFrom(model), provider: 'ollama', model: '', haUrl: 'http://ha.local:8123', haToken: 'abc', port: '1884' };
    expect(patchFromDraft(model, d)).toEqual({
      ok: true,
      empty: false,
      patch: { llm: { provider: 'ollama', model: null }, homeAssistant: { url: 'http://ha.local:8123', token: 'abc' }, mqtt: { port: 1884 } },
    });
  });

  it("picking another provider empties the previous one's model and endpoint (sent as null: the new defaults)", () => {
    const withUrl = settingsFromApi({ llm: { provider: 'openai', model: 'gpt-4o', baseUrl: 'http://proxy/v1' }, homeAssistant: {}, mqtt: {} });
    const d = withProvider(withUrl, draftFrom(withUrl), 'ollama');
    expect(d).toMatchObject({ provider: 'ollama', model: '', baseUrl: '' });
    expect(patchFromDraft(withUrl, d)).toMatchObject({ ok: true, patch: { llm: { provider: 'ollama', model: null, baseUrl: null } } });
    expect(withProvider(withUrl, d, 'openai')).toMatchObject({ provider: 'openai', model: 'gpt-4o', baseUrl: 'http://proxy/v1' });
  });

  it('can remove a stored key', () => {
    const r = patchFromDraft(model, { ...draftFrom(model), clearApiKey: true });
    expect(r).toMatchObject({ ok: true, patch: { llm: { apiKey: null } } });
  });

  it('validates URLs and ports', () => {
    const r = patchFromDraft(model, { ...draftFrom(model), haUrl: 'ha.local', port: '70000' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors).sort()).toEqual(['haUrl', 'port']);
  });
});
