import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applySettingsPatch, defaultSettings, loadSettings, needsHubRestart, saveSettings, SettingsStore } from './desktop-settings.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wactorz-settings-'));
  file = join(dir, 'settings.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('desktop settings', () => {
  it('defaults: serve the dashboard on 8888 for other devices, loopback only, auto LLM', () => {
    expect(defaultSettings()).toEqual({
      llm: { provider: 'auto' },
      serveOtherDevices: true,
      host: '127.0.0.1',
      monitorPort: 8888,
      mqttPort: 1883,
      notifications: { alerts: true, jobs: true },
    });
  });

  it('loads the defaults without a warning when there is no file', async () => {
    expect(await loadSettings(file)).toEqual({ settings: defaultSettings() });
  });

  it('falls back to the defaults with a warning for a broken or invalid file', async () => {
    await writeFile(file, '{oops');
    const broken = await loadSettings(file);
    expect(broken.settings).toEqual(defaultSettings());
    expect(broken.warning).toMatch(/not JSON/);
    await writeFile(file, JSON.stringify({ monitorPort: 'eighty' }));
    const invalid = await loadSettings(file);
    expect(invalid.settings).toEqual(defaultSettings());
    expect(invalid.warning).toMatch(/monitorPort/);
  });

  it('saves and loads what was saved', async () => {
    const s = applySettingsPatch(defaultSettings(), { llm: { provider: 'ollama', model: 'llama3' }, serveOtherDevices: false });
    await saveSettings(file, s);
    expect((await loadSettings(file)).settings).toEqual(s);
    expect(await readFile(file, 'utf8')).toContain('"provider": "ollama"');
  });

  it('applies a patch, merging nested objects; an empty string clears an optional field', () => {
    const a = applySettingsPatch(defaultSettings(), { llm: { model: 'gpt-4o' }, homeAssistantUrl: 'http://ha.local:8123' });
    expect(a.llm).toEqual({ provider: 'auto', model: 'gpt-4o' });
    expect(a.homeAssistantUrl).toBe('http://ha.local:8123');
    const b = applySettingsPatch(a, { llm: { model: '' }, homeAssistantUrl: '' });
    expect(b.llm).toEqual({ provider: 'auto' });
    expect(b).not.toHaveProperty('homeAssistantUrl');
    // What the patch does not mention stays as it was (no defaults filled back in).
    const custom = applySettingsPatch(b, { monitorPort: 9000, serveOtherDevices: false, host: '0.0.0.0' });
    expect(applySettingsPatch(custom, { llm: { provider: 'openai' } })).toMatchObject({ monitorPort: 9000, serveOtherDevices: false, host: '0.0.0.0' });
    const c = applySettingsPatch(b, { notifications: { jobs: false } });
    expect(c.notifications).toEqual({ alerts: true, jobs: false });
  });

  it('refuses invalid patches: bad values, unknown keys, non-http URLs', () => {
    const s = defaultSettings();
    expect(() => applySettingsPatch(s, { monitorPort: 70000 })).toThrow();
    expect(() => applySettingsPatch(s, { llm: { provider: 'skynet' as never } })).toThrow();
    expect(() => applySettingsPatch(s, { homeAssistantUrl: 'file:///etc/passwd' })).toThrow();
    expect(() => applySettingsPatch(s, { apiKey: 'x' } as never)).toThrow();
    expect(() => applySettingsPatch(s, { redisUrl: 'http://not-redis' })).toThrow();
    expect(applySettingsPatch(s, { redisUrl: 'redis://127.0.0.1:6379' }).redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('restarts the hub for hub settings, not for notification preferences', () => {
    const s = defaultSettings();
    expect(needsHubRestart(s, applySettingsPatch(s, { notifications: { alerts: false } }))).toBe(false);
    expect(needsHubRestart(s, applySettingsPatch(s, { monitorPort: 9999 }))).toBe(true);
    expect(needsHubRestart(s, applySettingsPatch(s, { llm: { provider: 'anthropic' } }))).toBe(true);
    expect(needsHubRestart(s, applySettingsPatch(s, {}))).toBe(false);
  });

  it('SettingsStore saves each update and leaves everything unchanged on an invalid one', async () => {
    const store = new SettingsStore(file, defaultSettings());
    const { before, after } = await store.update({ mqttPort: 1884 });
    expect(before.mqttPort).toBe(1883);
    expect(after.mqttPort).toBe(1884);
    expect((await loadSettings(file)).settings.mqttPort).toBe(1884);
    await expect(store.update({ mqttPort: -1 })).rejects.toThrow();
    expect(store.get().mqttPort).toBe(1884);
    // get() hands out copies: the caller cannot change the store's state.
    store.get().llm.provider = 'none';
    expect(store.get().llm.provider).toBe('auto');
  });
});
