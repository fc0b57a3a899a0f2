import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DesktopNotification, SecretName } from '../../shared/desktop-api.js';
import { defaultSettings, needsHubRestart, SettingsStore } from './desktop-settings.js';
import { createIpcHandlers, dispatchIpc, IpcSenderError, type DesktopServices, type IpcHandlers } from './ipc-handlers.js';
import { IPC_CHANNELS, IpcValidationError, isTrustedSender, validateIpcArgs } from './ipc-schemas.js';
import { FileSecretStore } from './secret-store.js';
import { aesCipher } from '../secrets/testing/aes-cipher.js';

const APP = 'http://127.0.0.1:8888';
const PAGE = `${APP}/agents`;

describe('IPC argument validation', () => {
  it('has a schema for every channel of the contract', () => {
    expect(IPC_CHANNELS.sort()).toEqual(
      [
        'wactorz:delete-secret',
        'wactorz:get-info',
        'wactorz:get-login-item',
        'wactorz:get-settings',
        'wactorz:get-version',
        'wactorz:list-secrets',
        'wactorz:notify',
        'wactorz:open-external',
        'wactorz:set-login-item',
        'wactorz:set-secret',
        'wactorz:update-settings',
      ].sort(),
    );
  });

  it('accepts well-formed arguments', () => {
    expect(validateIpcArgs('wactorz:notify', [{ title: 'Hi', body: 'there' }])).toEqual([{ title: 'Hi', body: 'there' }]);
    expect(validateIpcArgs('wactorz:open-external', ['https://example.com/docs?a=1'])).toEqual(['https://example.com/docs?a=1']);
    expect(validateIpcArgs('wactorz:set-login-item', [true])).toEqual([true]);
    expect(validateIpcArgs('wactorz:update-settings', [{ llm: { provider: 'ollama' } }])).toEqual([{ llm: { provider: 'ollama' } }]);
    expect(validateIpcArgs('wactorz:get-info', [])).toEqual([]);
  });

  it.each<[string, unknown[], RegExp]>([
    ['wactorz:open-external', ['file:///etc/passwd'], /only http\(s\)/],
    ['wactorz:open-external', ['javascript:alert(1)'], /only http\(s\)/],
    ['wactorz:open-external', [42], /0/],
    ['wactorz:notify', [{ title: '', body: 'x' }], /title/],
    ['wactorz:notify', [{ title: 't', body: 'x', onclick: 'evil()' }], /0/],
    ['wactorz:set-login-item', ['yes'], /0/],
    ['wactorz:set-secret', ['aws_secret', 'v'], /0/],
    ['wactorz:get-info', ['extra'], /./],
    ['wactorz:update-settings', [{ host: 5 }], /host/],
    ['wactorz:update-settings', [{ nodeIntegration: true }], /./],
  ])('refuses %s %j', (channel, args, message) => {
    expect(() => validateIpcArgs(channel as never, args)).toThrow(IpcValidationError);
    expect(() => validateIpcArgs(channel as never, args)).toThrow(message);
  });

  it('never echoes a value in its error (a secret may be among them)', () => {
    const secret = 'sk-SECRET-VALUE-'.repeat(600); // too long
    let message = '';
    try {
      validateIpcArgs('wactorz:set-secret', ['openai_api_key', secret]);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/invalid arguments/);
    expect(message).not.toContain('SECRET-VALUE');
  });

  it('trusts only frames of the app origin', () => {
    expect(isTrustedSender(PAGE, [APP])).toBe(true);
    expect(isTrustedSender('http://127.0.0.1:8889/', [APP])).toBe(false);
    expect(isTrustedSender('http://localhost:8888/', [APP])).toBe(false);
    expect(isTrustedSender('file:///tmp/x.html', [APP])).toBe(false);
    expect(isTrustedSender('about:blank', [APP])).toBe(false);
    expect(isTrustedSender(undefined, [APP])).toBe(false);
    expect(isTrustedSender('not a url', [APP])).toBe(false);
  });
});

describe('IPC handlers', () => {
  let dir: string;
  let handlers: IpcHandlers;
  let notified: DesktopNotification[];
  let opened: string[];
  let changed: SecretName[];
  let restarts: number;
  let loginItem: boolean;
  let secrets: FileSecretStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wactorz-ipc-'));
    notified = [];
    opened = [];
    changed = [];
    restarts = 0;
    loginItem = false;
    secrets = new FileSecretStore(join(dir, 'secrets.json'), aesCipher());
    const settings = new SettingsStore(join(dir, 'settings.json'), defaultSettings());
    const services: DesktopServices = {
      info: () => ({ appVersion: '1.2.3', electronVersion: '45.5.0', platform: 'linux', secretStorage: 'keychain' }),
      notify: (n) => void notified.push(n),
      openExternal: async (url) => void opened.push(url),
      getLoginItem: async () => loginItem,
      setLoginItem: async (on) => (loginItem = on),
      secrets,
      secretChanged: (name) => void changed.push(name),
      getSettings: () => settings.get(),
      updateSettings: async (patch) => {
        const { before, after } = await settings.update(patch);
        if (needsHubRestart(before, after)) restarts++;
        return after;
      },
    };
    handlers = createIpcHandlers(services);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const call = (channel: string, ...args: unknown[]) => dispatchIpc(handlers, channel, args, PAGE, [APP]);

  it('refuses a sender that is not the dashboard before doing anything', async () => {
    await expect(dispatchIpc(handlers, 'wactorz:open-external', ['https://example.com'], 'https://evil.example/', [APP])).rejects.toThrow(IpcSenderError);
    expect(opened).toEqual([]);
  });

  it('refuses unknown channels and invalid arguments before the handler runs', async () => {
    await expect(call('wactorz:exec', 'rm -rf /')).rejects.toThrow(/unknown IPC channel/);
    await expect(call('constructor')).rejects.toThrow(/unknown IPC channel/);
    await expect(call('wactorz:open-external', 'file:///etc/passwd')).rejects.toThrow(IpcValidationError);
    expect(opened).toEqual([]);
  });

  it('runs the native actions with validated arguments', async () => {
    expect(await call('wactorz:get-version')).toBe('1.2.3');
    expect(await call('wactorz:get-info')).toMatchObject({ secretStorage: 'keychain' });
    await call('wactorz:notify', { title: 'Done', body: 'pipeline finished' });
    expect(notified).toEqual([{ title: 'Done', body: 'pipeline finished' }]);
    await call('wactorz:open-external', 'https://github.com/');
    expect(opened).toEqual(['https://github.com/']);
    expect(await call('wactorz:set-login-item', true)).toBe(true);
    expect(await call('wactorz:get-login-item')).toBe(true);
  });

  it('stores secrets write-only: the page sees which are set, never a value', async () => {
    await call('wactorz:set-secret', 'anthropic_api_key', 'sk-ant-123');
    expect(changed).toEqual(['anthropic_api_key']);
    const list = (await call('wactorz:list-secrets')) as { name: string; set: boolean }[];
    expect(list.find((s) => s.name === 'anthropic_api_key')).toEqual({ name: 'anthropic_api_key', set: true });
    expect(list.find((s) => s.name === 'openai_api_key')).toEqual({ name: 'openai_api_key', set: false });
    expect(JSON.stringify(list)).not.toContain('sk-ant-123');
    expect(await readFile(join(dir, 'secrets.json'), 'utf8')).not.toContain('sk-ant-123');
    expect(await secrets.get('anthropic_api_key')).toBe('sk-ant-123');
    await call('wactorz:delete-secret', 'anthropic_api_key');
    await call('wactorz:delete-secret', 'anthropic_api_key'); // nothing left: no second restart
    expect(changed).toEqual(['anthropic_api_key', 'anthropic_api_key']);
    expect(await secrets.get('anthropic_api_key')).toBeUndefined();
  });

  it("never lets the page reach the hub's secrets (agent env, saved keys) or store a malformed key", async () => {
    await secrets.update({ 'agent.weather.API_KEY': 'agent-value', 'settings.llm_api_key': 'hub-key' });
    for (const name of ['agent.weather.API_KEY', 'settings.llm_api_key']) {
      await expect(call('wactorz:set-secret', name, 'overwritten')).rejects.toThrow(IpcValidationError);
      await expect(call('wactorz:delete-secret', name)).rejects.toThrow(IpcValidationError);
    }
    const list = (await call('wactorz:list-secrets')) as { name: string }[];
    expect(list.map((s) => s.name)).not.toContain('agent.weather.API_KEY');
    expect(await secrets.get('agent.weather.API_KEY')).toBe('agent-value');
    for (const bad of ['', 'two\nlines-SECRET']) {
      const err = await call('wactorz:set-secret', 'openai_api_key', bad).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(IpcValidationError);
      expect((err as Error).message).not.toContain('SECRET');
    }
    expect(changed).toEqual([]);
  });

  it('updates settings and restarts the hub only when it matters', async () => {
    const after = (await call('wactorz:update-settings', { llm: { provider: 'ollama', model: 'llama3' } })) as { llm: unknown };
    expect(after.llm).toEqual({ provider: 'ollama', model: 'llama3' });
    expect(restarts).toBe(1);
    await call('wactorz:update-settings', { notifications: { jobs: false } });
    expect(restarts).toBe(1);
    expect(await call('wactorz:get-settings')).toMatchObject({ notifications: { alerts: true, jobs: false } });
  });
});
