/** Settings through the real hub: saved in the state dir, applied live, secrets never echoed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHub, type TestHubOptions } from '../testing/hub-fixture.js';
import { json } from '../testing/http.js';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../llm/testing/index.js';
import { HaSimulator } from '../agents/home-assistant/testing/ha-simulator.js';

let llm: ScriptedLlmServer;
let dir: string;
beforeAll(async () => {
  llm = await startScriptedLlmServer();
  dir = mkdtempSync(join(tmpdir(), 'wz-settings-'));
});
afterAll(async () => {
  await llm.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A hub on the shared state dir (its settings outlive it), as the started handle. */
const start = async (opts: TestHubOptions = {}) => (await startTestHub({ stateDir: dir, ...opts })).handle;
const put = (url: string, body: unknown) => fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('settings', () => {
  it('switches the LLM live, keeps the key write-only and owner-readable, and keeps it across a restart', async () => {
    const hub = await start();
    try {
      expect(await json(fetch(`${hub.restUrl}/settings`))).toMatchObject({ llm: { provider: 'none', apiKeySet: false }, restartRequired: false });
      expect(await hub.processUserInput('hello', { interface: 'test' })).toMatch(/no LLM is configured/);

      const r = await put(`${hub.restUrl}/settings`, { llm: { provider: 'openai', model: 'gpt-4o', baseUrl: llm.urls.openai, apiKey: 'sk-secret-123' } });
      expect(r.status).toBe(200);
      const text = await r.text();
      expect(text).not.toContain('sk-secret-123');
      expect(JSON.parse(text)).toMatchObject({ llm: { provider: 'openai', model: 'gpt-4o', apiKeySet: true } });

      llm.respond('openai', 'Live switch works');
      expect(await hub.processUserInput('hello again', { interface: 'test' })).toContain('Live switch works');
      expect(llm.lastRequest('openai')!.headers.authorization).toBe('Bearer sk-secret-123');

      const secrets = join(dir, 'secrets.json');
      expect(statSync(secrets).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(secrets, 'utf8'))).toEqual({ version: 1, encoding: 'plain', secrets: { 'settings.llm_api_key': 'sk-secret-123' } });
    } finally {
      await hub.stop();
    }
    // No flags name an LLM: the saved one is used at the next start.
    const again = await start();
    try {
      expect(await json(fetch(`${again.restUrl}/settings`))).toMatchObject({ llm: { provider: 'openai', apiKeySet: true } });
      expect(await again.processUserInput('still there?', { interface: 'test' })).toContain('Live switch works');
    } finally {
      await again.stop();
      llm.respond('openai', undefined);
    }
  });

  it('switching provider starts from the new provider\'s defaults: the old model, base URL and key stay behind', async () => {
    const testHub = await startTestHub({ env: { ANTHROPIC_API_KEY: 'sk-ant-from-env', ANTHROPIC_BASE_URL: llm.urls.anthropic } }); // a state dir of its own
    const hub = testHub.handle;
    try {
      await put(`${hub.restUrl}/settings`, { llm: { provider: 'openai', model: 'gpt-4o', baseUrl: llm.urls.openai, apiKey: 'sk-openai-secret' } });
      // Only the provider changes, as the dashboard sends it when the model field was left alone.
      const view = await json(put(`${hub.restUrl}/settings`, { llm: { provider: 'ollama', baseUrl: llm.urls.ollama } }));
      expect(view.llm).toMatchObject({ provider: 'ollama', model: 'llama3', apiKeySet: false });
      llm.respond('ollama', 'Ollama answers');
      expect(await hub.processUserInput('hi', { interface: 'test' })).toContain('Ollama answers');
      expect(llm.lastRequest('ollama')!.body).toMatchObject({ model: 'llama3' });
      // To Anthropic: its key and endpoint come from the environment, never the OpenAI key saved
      // before. (The environment's key goes only to the environment's endpoint: see the next test.)
      const anth = await json(put(`${hub.restUrl}/settings`, { llm: { provider: 'anthropic' } }));
      expect(anth.llm).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-6', apiKeySet: true });
      llm.respond('anthropic', 'Anthropic answers');
      expect(await hub.processUserInput('hi again', { interface: 'test' })).toContain('Anthropic answers');
      const sent = llm.lastRequest('anthropic')!.headers;
      expect(sent['x-api-key'] ?? sent.authorization).toMatch(/sk-ant-from-env$/);
      expect(JSON.stringify(sent)).not.toContain('sk-openai-secret');
      // A model given with the provider is kept.
      const withModel = await json(put(`${hub.restUrl}/settings`, { llm: { provider: 'ollama', model: 'qwen2.5', baseUrl: llm.urls.ollama } }));
      expect(withModel.llm).toMatchObject({ provider: 'ollama', model: 'qwen2.5' });
      // Back to Anthropic at an endpoint this change names: the environment's key does not follow it.
      const elsewhere = await json(put(`${hub.restUrl}/settings`, { llm: { provider: 'anthropic', baseUrl: llm.urls.openai } }));
      expect(elsewhere.llm).toMatchObject({ provider: 'anthropic', apiKeySet: false });
    } finally {
      await testHub.stop();
      llm.respond('*', undefined);
    }
  });

  it('an explicit configuration wins over saved settings at start', async () => {
    const hub = await start({ llm: { provider: 'ollama', model: 'llama3', baseUrl: llm.urls.ollama } });
    try {
      expect(await json(fetch(`${hub.restUrl}/settings`))).toMatchObject({ llm: { provider: 'ollama' } });
    } finally {
      await hub.stop();
    }
  });

  it('rejects bad settings with the field and the reason', async () => {
    const hub = await start();
    try {
      const r = await put(`${hub.restUrl}/settings`, { llm: { provider: 'skynet' }, homeAssistant: { url: 'ftp://x' } });
      expect(r.status).toBe(400);
      const body = await json(r);
      expect(body.detail.map((d: { path: string }) => d.path).sort()).toEqual(['homeAssistant.url', 'llm.provider']);
      expect((await put(`${hub.restUrl}/settings`, { bogus: 1 })).status).toBe(400);
    } finally {
      await hub.stop();
    }
  });

  it('connects Home Assistant from the settings and starts its agents; MQTT changes wait for a restart', async () => {
    const ha = await new HaSimulator().start();
    const testHub = await startTestHub(); // a state dir of its own
    const hub = testHub.handle;
    try {
      expect(hub.system.get('home-assistant-agent')).toBeUndefined();
      const view = await json(put(`${hub.restUrl}/settings`, { homeAssistant: { url: ha.url, token: ha.token } }));
      expect(view.homeAssistant).toMatchObject({ url: ha.url, tokenSet: true, configured: true });
      expect(hub.system.get('home-assistant-agent')?.state).toBe('running');
      expect(hub.system.get('home-assistant-state-bridge')?.state).toBe('running');
      const cleared = await json(put(`${hub.restUrl}/settings`, { homeAssistant: { url: null, token: null } }));
      expect(cleared.homeAssistant.configured).toBe(false);
      expect(hub.system.get('home-assistant-agent')).toBeUndefined();
      expect((await json(put(`${hub.restUrl}/settings`, { mqtt: { broker: '127.0.0.1', port: 1884 } }))).restartRequired).toBe(true);
    } finally {
      await testHub.stop();
      await ha.stop();
    }
  });
});
