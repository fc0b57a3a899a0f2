import { describe, expect, it } from 'vitest';
import { wactorzConfigSchema } from '../config/config.js';
import { buildHubConfig, resolveProvider, withEphemeralPorts } from './desktop-config.js';
import { applySettingsPatch, defaultSettings } from './desktop-settings.js';

const base = { settings: defaultSettings(), secrets: {}, env: {}, stateDir: '/home/u/.config/Wactorz/state' };

describe('desktop hub config', () => {
  it('by default: state under userData, dashboard on 8888 (loopback), no terminal interface, no LLM', () => {
    const { config, llmKeySource } = buildHubConfig(base);
    const parsed = wactorzConfigSchema.parse(config);
    expect(parsed).toMatchObject({
      stateDir: '/home/u/.config/Wactorz/state',
      host: '127.0.0.1',
      monitorPort: 8888,
      interface: 'none',
      llm: { provider: 'none' },
      mqtt: { port: 1883 },
    });
    expect(llmKeySource).toBe('none');
  });

  it('serves only the window (loopback, OS-picked port) when serving other devices is off', () => {
    const settings = applySettingsPatch(defaultSettings(), { serveOtherDevices: false, host: '0.0.0.0' });
    expect(buildHubConfig({ ...base, settings }).config).toMatchObject({ host: '127.0.0.1', monitorPort: 0 });
  });

  it('auto-picks the provider whose key exists, keychain before environment', () => {
    expect(resolveProvider(defaultSettings(), {}, { OPENAI_API_KEY: 'env-openai' })).toBe('openai');
    expect(resolveProvider(defaultSettings(), { gemini_api_key: 'k' }, { OPENAI_API_KEY: 'e' })).toBe('openai');
    expect(resolveProvider(defaultSettings(), { anthropic_api_key: 'k' }, { OPENAI_API_KEY: 'e' })).toBe('anthropic');
    expect(resolveProvider(defaultSettings(), {}, { OLLAMA_HOST: 'http://127.0.0.1:11434' })).toBe('ollama');
    expect(resolveProvider(defaultSettings(), {}, {})).toBe('none');
    const fixed = applySettingsPatch(defaultSettings(), { llm: { provider: 'nim' } });
    expect(resolveProvider(fixed, { anthropic_api_key: 'k' }, {})).toBe('nim');
  });

  it('takes the key from the keychain first, then the environment, and says which', () => {
    const settings = applySettingsPatch(defaultSettings(), { llm: { provider: 'anthropic', model: 'claude-sonnet-4-6' } });
    const fromKeychain = buildHubConfig({ ...base, settings, secrets: { anthropic_api_key: 'kc' }, env: { ANTHROPIC_API_KEY: 'env' } });
    expect(fromKeychain.config.llm).toEqual({ provider: 'anthropic', model: 'claude-sonnet-4-6', apiKey: 'kc' });
    expect(fromKeychain.llmKeySource).toBe('keychain');
    const fromEnv = buildHubConfig({ ...base, settings, env: { ANTHROPIC_API_KEY: 'env' } });
    expect(fromEnv.config.llm.apiKey).toBe('env');
    expect(fromEnv.llmKeySource).toBe('environment');
  });

  it('passes Ollama its host, Home Assistant its URL and token, an external broker its credentials', () => {
    const settings = applySettingsPatch(defaultSettings(), {
      llm: { provider: 'ollama', model: 'llama3' },
      homeAssistantUrl: 'http://ha.local:8123',
      mqttBroker: 'broker.lan',
      mqttPort: 8883,
      mqttUsername: 'hub',
    });
    const { config } = buildHubConfig({
      ...base,
      settings,
      secrets: { home_assistant_token: 'ha-token', mqtt_password: 'pw' },
      env: { OLLAMA_HOST: 'http://gpu-box:11434' },
      nativeBinding: '/app/better_sqlite3.node',
    });
    expect(config).toMatchObject({
      llm: { provider: 'ollama', model: 'llama3', baseUrl: 'http://gpu-box:11434' },
      homeAssistant: { url: 'http://ha.local:8123', token: 'ha-token' },
      mqtt: { broker: 'broker.lan', port: 8883, username: 'hub', password: 'pw' },
      nativeBinding: '/app/better_sqlite3.node',
    });
    expect(wactorzConfigSchema.parse(config).nativeBinding).toBe('/app/better_sqlite3.node');
  });

  it('leaves Home Assistant out without a token, and broker credentials out without a broker', () => {
    const settings = applySettingsPatch(defaultSettings(), { homeAssistantUrl: 'http://ha.local:8123', mqttUsername: 'u' });
    const { config } = buildHubConfig({ ...base, settings, secrets: { mqtt_password: 'pw' } });
    expect(config.homeAssistant).toBeUndefined();
    expect(config.mqtt).toEqual({ port: 1883 });
  });

  it('retries on OS-picked ports, but never moves an external broker', () => {
    const { config } = buildHubConfig(base);
    expect(withEphemeralPorts(config)).toMatchObject({ monitorPort: 0, mqtt: { port: 0 } });
    const ext = buildHubConfig({ ...base, settings: applySettingsPatch(defaultSettings(), { mqttBroker: 'b', mqttPort: 1884 }) }).config;
    expect(withEphemeralPorts(ext)).toMatchObject({ monitorPort: 0, mqtt: { broker: 'b', port: 1884 } });
  });
});
