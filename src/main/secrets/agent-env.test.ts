/** AgentEnvSecrets over real stores, and the import of the settings' old flat secrets file. */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentSecretName, AgentEnvSecrets } from './agent-env.js';
import { FileSecretStore } from './file-secret-store.js';
import { importLegacySettingsSecrets } from './legacy-settings-secrets.js';
import { MemorySecretStore } from './memory-secret-store.js';
import { aesCipher } from './testing/aes-cipher.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wz-agent-env-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('AgentEnvSecrets', () => {
  it('keeps each agent’s values apart, replaces them whole, forgets them, and loads them back', async () => {
    const store = new FileSecretStore(join(dir, 'secrets.json'));
    const env = new AgentEnvSecrets(store);
    await env.replace('weather', { API_KEY: 'w1', CITY_TOKEN: 'w2' });
    await env.replace('mailer', { SMTP_PASSWORD: 'm1' });
    expect(env.get('weather')).toEqual({ API_KEY: 'w1', CITY_TOKEN: 'w2' });
    await env.replace('weather', { API_KEY: 'w3' });
    expect(env.get('weather')).toEqual({ API_KEY: 'w3' });
    expect(await store.names()).toEqual(['agent.mailer.SMTP_PASSWORD', 'agent.weather.API_KEY']);
    await env.forget('mailer');
    expect(env.get('mailer')).toEqual({});

    const next = new AgentEnvSecrets(new FileSecretStore(join(dir, 'secrets.json')));
    await next.load();
    expect(next.get('weather')).toEqual({ API_KEY: 'w3' });
    expect(next.get('mailer')).toEqual({});
  });

  it('stores names the store would refuse (a recipe field "api.key") losslessly', async () => {
    const store = new MemorySecretStore();
    const env = new AgentEnvSecrets(store);
    await env.replace('my-agent_1', { 'api.key': 'a', 'webhook url': 'b', plain: 'c' });
    expect(agentSecretName('my-agent_1', 'api.key')).toMatch(/^agent\.my-agent_1\.-[A-Za-z0-9_-]+$/);
    const next = new AgentEnvSecrets(store);
    await next.load();
    expect(next.get('my-agent_1')).toEqual({ 'api.key': 'a', 'webhook url': 'b', plain: 'c' });
  });

  it('at load, removes the secrets of agents that no longer exist and skips (naming it) a value it cannot read', async () => {
    const file = join(dir, 'kc.json');
    const cipher = aesCipher();
    const writer = new AgentEnvSecrets(new FileSecretStore(file, cipher));
    await writer.replace('kept', { TOKEN: 't' });
    await writer.replace('deleted', { TOKEN: 'd' });
    // One value written under another account's key: unreadable here.
    const other = new FileSecretStore(file.replace('kc', 'other'), aesCipher());
    await other.set('agent.kept.OLD', 'x');
    const foreign = JSON.parse(readFileSync(file.replace('kc', 'other'), 'utf8')).secrets['agent.kept.OLD'];
    const mine = JSON.parse(readFileSync(file, 'utf8'));
    mine.secrets['agent.kept.OLD'] = foreign;
    writeFileSync(file, JSON.stringify(mine));

    const lines: string[] = [];
    const store = new FileSecretStore(file, cipher);
    const env = new AgentEnvSecrets(store, (level, m) => lines.push(`${level}: ${m}`));
    await env.load((agent) => agent !== 'deleted');
    expect(env.get('kept')).toEqual({ TOKEN: 't' });
    expect(await store.names('agent.deleted.')).toEqual([]);
    expect(lines).toEqual([
      expect.stringMatching(/^warning: agent kept: secret OLD cannot be read \(secret "agent\.kept\.OLD" cannot be decrypted/),
      'info: removed 1 secret(s) of agents that no longer exist',
    ]);
  });
});

describe('importLegacySettingsSecrets', () => {
  const legacy = { llmApiKey: 'sk-legacy', haToken: 'ha-legacy', mqttPassword: 'mq-legacy' };

  it('moves the old flat secrets.json into the store (same file, new format, 0600) once', async () => {
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify(legacy), { mode: 0o644 });
    const store = new FileSecretStore(file);
    const lines: string[] = [];
    expect(await importLegacySettingsSecrets(dir, store, (l, m) => lines.push(`${l}: ${m}`))).toBe(3);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      version: 1,
      encoding: 'plain',
      secrets: { 'settings.home_assistant_token': 'ha-legacy', 'settings.llm_api_key': 'sk-legacy', 'settings.mqtt_password': 'mq-legacy' },
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(existsSync(`${file}.legacy`)).toBe(false);
    expect(lines).toEqual(['info: secrets: moved 3 saved setting secret(s) into the secret store']);
    expect(await importLegacySettingsSecrets(dir, new FileSecretStore(file))).toBe(0);
  });

  it('into the keychain store (desktop): the plain file is gone afterwards', async () => {
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ llmApiKey: 'sk-legacy' }));
    const keychain = new FileSecretStore(join(dir, 'userData', 'secrets.json'), aesCipher());
    expect(await importLegacySettingsSecrets(dir, keychain)).toBe(1);
    expect(existsSync(file)).toBe(false);
    expect(await keychain.get('settings.llm_api_key')).toBe('sk-legacy');
  });

  it('finishes an import a crash interrupted (the old file already set aside)', async () => {
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify(legacy));
    renameSync(file, `${file}.legacy`);
    const store = new FileSecretStore(file);
    expect(await importLegacySettingsSecrets(dir, store)).toBe(3);
    expect(await store.get('settings.mqtt_password')).toBe('mq-legacy');
    expect(existsSync(`${file}.legacy`)).toBe(false);
  });

  it('leaves any other file alone', async () => {
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ something: 'else' }));
    expect(await importLegacySettingsSecrets(dir, new MemorySecretStore())).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(JSON.stringify({ something: 'else' }));
  });
});
