/**
 * Secrets in sight, on a real hub: a stored credential does not follow its URL to another
 * address (the real settings route, the real Anthropic SDK, a real listener standing in for the
 * attacker's), and a password in a URL is redacted in the log, the REST answers, errors and MQTT.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWactorz } from '../wactorz.js';
import { json, postJson } from '../testing/http.js';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../llm/testing/index.js';
import { closedPort } from '../llm/testing/provider-conformance.js';
import { HaSimulator } from '../agents/home-assistant/testing/ha-simulator.js';
import { connectRecordingClient } from '../broker/testing/mqtt-test-client.js';
import { startupLines } from '../cli.js';
import type { CliFlags } from '../config/cli-args.js';

const KEY = 'sk-ant-STORED-KEY-4b1d9e';
let legit: ScriptedLlmServer;
let evil: ScriptedLlmServer;
const dirs: string[] = [];
beforeAll(async () => {
  legit = await startScriptedLlmServer();
  evil = await startScriptedLlmServer();
});
afterAll(async () => {
  await legit.close();
  await evil.close();
});
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const stateDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'wz-secrets-sight-'));
  dirs.push(d);
  return d;
};
const base = (dir: string) => ({ stateDir: dir, interface: 'rest' as const, restPort: 0, monitorPort: null, mqtt: { port: 0 } });
const put = (url: string, body: unknown) => fetch(`${url}/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
/** The key a request carried (the SDK sends it as x-api-key or a Bearer token). */
const keyOf = (r: { headers: Record<string, string> }) => r.headers['x-api-key'] ?? r.headers.authorization?.replace(/^Bearer /, '');
const recorder = () => {
  const lines: string[] = [];
  return { lines, log: (level: string, message: string) => void lines.push(`${level}: ${message}`) };
};

describe('a stored credential stays with the address it was given for', () => {
  it('changing the LLM base URL drops the key (configured or saved) unless the same change gives it again', async () => {
    const dir = stateDir();
    const { lines, log } = recorder();
    const hub = await startWactorz({ ...base(dir), llm: { provider: 'anthropic', model: 'wactorz-test-model', apiKey: KEY, baseUrl: legit.urls.anthropic, maxRetries: 0 } }, { log, env: {} });
    try {
      legit.respond('anthropic', 'from the real provider');
      expect(await hub.processUserInput('hello', { interface: 'test' })).toContain('from the real provider');
      expect(keyOf(legit.lastRequest('anthropic')!)).toBe(KEY);

      // The attack: only the base URL changes.
      const moved = await json(put(hub.restUrl!, { llm: { baseUrl: evil.urls.anthropic } }));
      expect(moved.llm).toMatchObject({ provider: 'anthropic', apiKeySet: false });
      expect(lines).toContain('warning: settings: LLM API key dropped — it was saved for another address; give it again with the new one');
      evil.respond('anthropic', 'the attacker answers');
      expect(await hub.processUserInput('hello again', { interface: 'test' })).not.toContain('the attacker answers');
      expect(evil.requests).toEqual([]);
      expect(JSON.stringify(evil.requests)).not.toContain(KEY);

      // A person gives the key with the new address: it goes there.
      const given = await json(put(hub.restUrl!, { llm: { baseUrl: evil.urls.anthropic, apiKey: 'sk-ant-GIVEN-AGAIN' } }));
      expect(given.llm.apiKeySet).toBe(true);
      expect(await hub.processUserInput('third', { interface: 'test' })).toContain('the attacker answers');
      expect(keyOf(evil.lastRequest('anthropic')!)).toBe('sk-ant-GIVEN-AGAIN');

      // A saved key: kept when only the model changes, dropped when the provider changes.
      expect((await json(put(hub.restUrl!, { llm: { model: 'wactorz-test-model-2' } }))).llm.apiKeySet).toBe(true);
      expect((await json(put(hub.restUrl!, { llm: { provider: 'openai' } }))).llm.apiKeySet).toBe(false);
      expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).not.toContain('sk-ant-GIVEN-AGAIN');
    } finally {
      await hub.stop();
      legit.respond('anthropic', undefined);
      evil.respond('anthropic', undefined);
      evil.reset();
    }
  });

  it('a base URL sent back as GET /settings showed it (password redacted) changes nothing', async () => {
    const hub = await startWactorz({ ...base(stateDir()), llm: { provider: 'none' } }, { log: () => {}, env: {} });
    try {
      const withCreds = legit.urls.openai.replace('http://', 'http://proxyuser:proxy-PASS@');
      await put(hub.restUrl!, { llm: { provider: 'openai', model: 'gpt-4o', baseUrl: withCreds, apiKey: 'sk-openai-1' } });
      const shown = await json(fetch(`${hub.restUrl}/settings`));
      expect(shown.llm.baseUrl).toBe(withCreds.replace('proxy-PASS', '***'));
      const echoed = await json(put(hub.restUrl!, { llm: { provider: 'openai', model: 'gpt-4o', baseUrl: shown.llm.baseUrl } }));
      expect(echoed.llm).toMatchObject({ apiKeySet: true, baseUrl: shown.llm.baseUrl });
    } finally {
      await hub.stop();
    }
  });

  it('changing the Home Assistant URL drops the token: an HA at the new address never sees it', async () => {
    const ha = await new HaSimulator().start();
    const lookalike = await new HaSimulator({ token: ha.token }).start(); // would accept the stolen token
    const hub = await startWactorz({ ...base(stateDir()), llm: { provider: 'none' } }, { log: () => {}, env: {} });
    try {
      expect((await json(put(hub.restUrl!, { homeAssistant: { url: ha.url, token: ha.token } }))).homeAssistant.configured).toBe(true);
      const moved = await json(put(hub.restUrl!, { homeAssistant: { url: lookalike.url } }));
      expect(moved.homeAssistant).toMatchObject({ tokenSet: false, configured: false });
      expect(lookalike.authAttempts).toBe(0);
      // Given again with the new URL, it is used there.
      expect((await json(put(hub.restUrl!, { homeAssistant: { url: lookalike.url, token: ha.token } }))).homeAssistant.configured).toBe(true);
      await expect.poll(() => lookalike.authAttempts).toBe(1);
    } finally {
      await hub.stop();
      await ha.stop();
      await lookalike.stop();
    }
  });

  it('changing the MQTT broker drops the saved broker password', async () => {
    const dir = stateDir();
    const hub = await startWactorz({ ...base(dir), llm: { provider: 'none' } }, { log: () => {}, env: {} });
    const saved = () => JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')).secrets;
    try {
      await put(hub.restUrl!, { mqtt: { broker: '10.0.0.5', port: 1883, username: 'fleet', password: 'broker-PASS' } });
      expect(saved()).toEqual({ 'settings.mqtt_password': 'broker-PASS' });
      await put(hub.restUrl!, { mqtt: { username: 'fleet2' } });
      expect(saved()).toEqual({ 'settings.mqtt_password': 'broker-PASS' });
      await put(hub.restUrl!, { mqtt: { broker: 'broker.attacker.example' } });
      expect(saved()).toEqual({});
    } finally {
      await hub.stop();
    }
  });
});

describe('a password in a URL is never shown', () => {
  it('OLLAMA_HOST with a password: redacted in the log, /settings, /llm, /cost, /health, errors, chat and MQTT', async () => {
    const port = await closedPort();
    const host = `http://admin:hunter2@127.0.0.1:${port}`;
    const shownHost = `http://admin:***@127.0.0.1:${port}`;
    const { lines, log } = recorder();
    const hub = await startWactorz({ ...base(stateDir()), llm: { provider: 'ollama', model: 'llama3', baseUrl: host, maxRetries: 0, timeoutMs: 5_000 } }, { log, env: {} });
    const mqtt = await connectRecordingClient(`mqtt://127.0.0.1:${hub.mqttPort}`);
    try {
      await mqtt.subscribe('#');
      expect(hub.llmSummary).toBe(`LLM: ollama llama3 at ${shownHost} (local)`);
      expect(startupLines(hub, { host: '127.0.0.1', stateDir: 'x' } as CliFlags).join('\n')).toContain(shownHost);

      const answers: Record<string, { status: number; text: string }> = {};
      for (const path of ['/settings', '/llm', '/cost', '/health', '/llm/models']) {
        const r = await fetch(`${hub.restUrl}${path}`);
        answers[path] = { status: r.status, text: await r.text() };
      }
      expect(JSON.parse(answers['/settings']!.text).llm.baseUrl).toBe(shownHost);
      expect(JSON.parse(answers['/llm']!.text).base_url).toBe(shownHost);
      expect(JSON.parse(answers['/cost']!.text).summary).toContain(shownHost);
      expect(answers['/llm/models']!.status).toBeGreaterThanOrEqual(502); // the Ollama call failed: the error names the (redacted) host
      expect(answers['/llm/models']!.text).toContain(shownHost);

      const chat = await json(postJson(`${hub.restUrl}/chat`, { message: 'hello' }));
      expect(JSON.stringify(chat)).toContain('admin:***@');
      // Through the settings route the same URL comes back redacted, and the log line says so.
      await put(hub.restUrl!, { llm: { provider: 'ollama', model: 'llama3', baseUrl: host } });
      expect(lines.some((l) => l.includes(`settings: LLM: ollama llama3 at ${shownHost}`))).toBe(true);

      for (const [path, a] of Object.entries(answers)) expect(a.text, path).not.toContain('hunter2');
      expect(JSON.stringify(chat)).not.toContain('hunter2');
      expect(lines.filter((l) => l.includes('hunter2'))).toEqual([]);
      expect(mqtt.received.length).toBeGreaterThan(0);
      expect(mqtt.received.filter((m) => m.payload.includes('hunter2')).map((m) => m.topic)).toEqual([]);
    } finally {
      await mqtt.end();
      await hub.stop();
    }
  });

  it('an external broker URL with a password: redacted in the log and in /settings', async () => {
    const port = await closedPort();
    const { lines, log } = recorder();
    const hub = await startWactorz({ ...base(stateDir()), llm: { provider: 'none' }, mqtt: { broker: `mqtt://fleet:broker-hunter2@127.0.0.1:${port}`, port } }, { log, env: {} });
    try {
      const view = await json(fetch(`${hub.restUrl}/settings`));
      expect(view.mqtt.broker).toBe(`mqtt://fleet:***@127.0.0.1:${port}`);
      expect(lines.some((l) => l.includes('mqtt://fleet:***@'))).toBe(true);
      expect(lines.filter((l) => l.includes('broker-hunter2'))).toEqual([]);
    } finally {
      await hub.stop();
    }
  });
});
