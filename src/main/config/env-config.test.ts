/**
 * Configuration by environment, as the original's Docker Compose file and Home Assistant add-on do
 * it: the variables, a `.env` file, and the order (flags > process environment > .env). The last
 * test starts a real hub from a `.env` the way `wactorz` does (resolveCli → startWactorz).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvConfigError, envFlagDefaults, mergeEnv, readDotEnv } from './env-config.js';
import { parseCliArgs } from './cli-args.js';
import { configFromFlags, resolveCli } from '../cli.js';
import { resolveLlmConfig } from '../llm/llm-config.js';
import { startWactorz } from '../wactorz.js';
import { silentLogger } from '../base/logger.js';
import { json } from '../testing/http.js';
import { stablePort } from '../testing/stable-port.js';

import { startScriptedLlmServer, type ScriptedLlmServer } from '../llm/testing/index.js';
import { HaSimulator } from '../agents/home-assistant/testing/ha-simulator.js';
import { waitUntil } from '../testing/wait.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wz-env-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dotEnvIn(name: string, text: string): string {
  const d = mkdtempSync(join(dir, `${name}-`));
  writeFileSync(join(d, '.env'), text);
  return d;
}

describe('.env', () => {
  it('reads ./.env from the working directory, in dotenv syntax', () => {
    const cwd = dotEnvIn('cwd', '# the original compose file\nexport INTERFACE=rest\nLLM_MODEL="llama 3"\nOLLAMA_URL=http://gpu:11434 # a comment\nMULTI="a\nb"\n');
    const r = readDotEnv([], cwd);
    expect(r.path).toBe(join(cwd, '.env'));
    expect(r.values).toEqual({ INTERFACE: 'rest', LLM_MODEL: 'llama 3', OLLAMA_URL: 'http://gpu:11434', MULTI: 'a\nb' });
  });

  it('--env-file names another file, which must exist; no ./.env is not an error', () => {
    const cwd = dotEnvIn('named', 'PORT=1\n');
    writeFileSync(join(cwd, 'prod.env'), 'PORT=2\n');
    expect(readDotEnv(['--env-file', 'prod.env'], cwd).values).toEqual({ PORT: '2' });
    expect(readDotEnv(['--env-file=prod.env'], cwd).values).toEqual({ PORT: '2' });
    expect(() => readDotEnv(['--env-file', 'missing.env'], cwd)).toThrow(EnvConfigError);
    expect(() => readDotEnv(['--env-file='], cwd)).toThrow(/needs a path/);
    expect(readDotEnv([], mkdtempSync(join(dir, 'empty-')))).toEqual({ path: null, values: {} });
  });

  it('the process environment wins over .env', () => {
    expect(mergeEnv({ PORT: '9000', EMPTY: '' }, { path: 'x', values: { PORT: '8000', LLM_MODEL: 'm', EMPTY: 'from-file' } })).toEqual({ PORT: '9000', LLM_MODEL: 'm', EMPTY: '' });
  });
});

describe("the original's variables", () => {
  it('become flag defaults; flags still win', () => {
    const env = { INTERFACE: 'rest', PORT: '9100', LLM_PROVIDER: 'ollama', LLM_MODEL: 'qwen', OLLAMA_URL: 'http://gpu:11434', MQTT_HOST: 'core-mosquitto', MQTT_PORT: '1884', MONITOR_PORT: '8899' };
    const r = parseCliArgs([], env);
    expect(r.kind === 'run' && r.flags).toMatchObject({ interface: 'rest', port: 9100, llm: 'ollama', model: 'qwen', ollamaHost: 'http://gpu:11434', mqttBroker: 'core-mosquitto', mqttPort: 1884, monitorPort: 8899 });
    const f = parseCliArgs(['--interface', 'cli', '--port', '7000', '--llm', 'none', '--monitor-port', '7001', '--mqtt-port', '1999'], env);
    expect(f.kind === 'run' && f.flags).toMatchObject({ interface: 'cli', port: 7000, llm: 'none', monitorPort: 7001, mqttPort: 1999 });
    // --ollama-model on the command line asks for Ollama even when LLM_PROVIDER names another.
    const o = parseCliArgs(['--ollama-model', 'llama3'], { LLM_PROVIDER: 'anthropic' });
    expect(o.kind === 'run' && o.flags.llm).toBeUndefined();
  });

  it('WACTORZ_DEV_MODE makes REST on 8080 the default; WS_PORT is the older MONITOR_PORT', () => {
    expect(envFlagDefaults({ WACTORZ_DEV_MODE: 'true' })).toMatchObject({ interface: 'rest', port: 8080 });
    expect(envFlagDefaults({ WACTORZ_DEV_MODE: '1', INTERFACE: 'cli', PORT: '8000' })).toMatchObject({ interface: 'cli', port: 8000 });
    expect(envFlagDefaults({ WACTORZ_DEV_MODE: '0' })).toMatchObject({ interface: undefined, port: undefined });
    expect(envFlagDefaults({ WS_PORT: '9999' }).monitorPort).toBe(9999);
    expect(envFlagDefaults({ WS_PORT: '9999', MONITOR_PORT: '8889' }).monitorPort).toBe(8889);
    expect(envFlagDefaults({ TELEGRAM_ALLOWED_USER_ID: '0' }).telegramAllowedUserId).toBeUndefined();
    expect(envFlagDefaults({ TELEGRAM_ALLOWED_USER_ID: '42' }).telegramAllowedUserId).toBe(42);
  });

  it('a malformed value is a usage error that names the variable', () => {
    for (const [k, v] of [['PORT', 'eighty'], ['MQTT_PORT', '70000'], ['INTERFACE', 'fax'], ['LLM_PROVIDER', 'skynet'], ['TELEGRAM_ALLOWED_USER_ID', 'bob']] as const) {
      const r = parseCliArgs([], { [k]: v });
      expect(r, k).toMatchObject({ kind: 'exit', code: 2 });
      if (r.kind === 'exit') expect(r.output).toContain(k);
    }
    expect(resolveCli(['--env-file', 'nope.env'], {}, dir)).toMatchObject({ kind: 'exit', code: 2 });
  });

  it('LLM keys: the provider variable, then the original names (NVIDIA_API_KEY, GOOGLE_API_KEY), then LLM_API_KEY', () => {
    expect(resolveLlmConfig({ llm: 'nim' }, { NVIDIA_API_KEY: 'nv', LLM_API_KEY: 'generic' }).apiKey).toBe('nv');
    expect(resolveLlmConfig({ llm: 'nim' }, { NIM_API_KEY: 'nim', NVIDIA_API_KEY: 'nv' }).apiKey).toBe('nim');
    expect(resolveLlmConfig({ llm: 'gemini' }, { GOOGLE_API_KEY: 'g' }).apiKey).toBe('g');
    expect(resolveLlmConfig({ llm: 'openai' }, { LLM_API_KEY: 'generic', OPENAI_URL: 'http://proxy/v1' })).toMatchObject({ apiKey: 'generic', baseUrl: 'http://proxy/v1' });
    expect(resolveLlmConfig({ llm: 'ollama' }, { OLLAMA_URL: 'http://gpu:11434' }).baseUrl).toBe('http://gpu:11434');
    // Auto-detection knows the original names; LLM_API_KEY alone means the original's default, Anthropic.
    expect(resolveLlmConfig({}, { GOOGLE_API_KEY: 'g' }).provider).toBe('gemini');
    expect(resolveLlmConfig({}, { NVIDIA_API_KEY: 'n' }).provider).toBe('nim');
    expect(resolveLlmConfig({}, { LLM_API_KEY: 'k' })).toMatchObject({ provider: 'anthropic', apiKey: 'k' });
  });
});

describe('a hub configured as the Home Assistant add-on configures the original', () => {
  let llm: ScriptedLlmServer;
  let ha: HaSimulator;
  beforeAll(async () => {
    llm = await startScriptedLlmServer();
    ha = await new HaSimulator().start();
  });
  afterAll(async () => {
    await ha.stop();
    await llm.close();
  });

  it('takes INTERFACE, PORT, MONITOR_PORT, MQTT_PORT, LLM_*, OLLAMA_URL, HA_* and HA_STATE_BRIDGE_* from .env; the environment and flags win', { timeout: 60_000 }, async () => {
    const [port, monitorPort, mqttPort] = [await stablePort(), await stablePort(), await stablePort()];
    const cwd = dotEnvIn(
      'hub',
      [
        'INTERFACE=rest',
        `PORT=${port}`,
        'MONITOR_PORT=1', // overridden by the process environment below
        `MQTT_PORT=${mqttPort}`,
        'LLM_PROVIDER=ollama',
        'LLM_MODEL=from-dotenv',
        `OLLAMA_URL=${llm.urls.ollama}`,
        `HA_URL=${ha.url}`,
        `HA_TOKEN=${ha.token}`,
        'HA_STATE_BRIDGE_OUTPUT_TOPIC=custom/ha',
        'HA_STATE_BRIDGE_DOMAINS=light',
        `WACTORZ_STATE_DIR=${join(dir, 'hub-state')}`,
      ].join('\n'),
    );
    const r = resolveCli(['--model', 'from-flag'], { MONITOR_PORT: String(monitorPort), LLM_MODEL: 'from-process-env' }, cwd);
    if (r.kind !== 'run') throw new Error(r.output);
    expect(r.flags.envFile).toBe(join(cwd, '.env'));
    const hub = await startWactorz({ ...configFromFlags(r.flags, r.env), timing: { heartbeatMs: 60_000 } }, { log: silentLogger, env: r.env });
    try {
      expect(hub.restUrl).toBe(`http://127.0.0.1:${port}`);
      expect(hub.dashboardUrl).toBe(`http://127.0.0.1:${monitorPort}`);
      expect(hub.mqttPort).toBe(mqttPort);
      expect(await json(fetch(`${hub.restUrl}/llm`))).toMatchObject({ provider: 'ollama', model: 'from-flag', base_url: llm.urls.ollama });
      // The state bridge publishes on HA_STATE_BRIDGE_OUTPUT_TOPIC, only for HA_STATE_BRIDGE_DOMAINS.
      const seen: string[] = [];
      hub.bus.subscribe('#', (topic, payload) => {
        if (topic.startsWith('custom/ha') || topic.startsWith('homeassistant/state_changes')) seen.push(`${topic} ${(JSON.parse(payload.toString()) as { entity_id: string }).entity_id}`);
      });
      await waitUntil(() => hub.system.get('home-assistant-state-bridge')?.state === 'running' && ha.subscriptionCount() > 0, 'the state bridge');
      ha.setState('sensor.living_room_temperature', '30.5');
      ha.setState('light.bedside', 'on');
      ha.setState('switch.coffee_maker', 'on');
      ha.setState('light.bedside', 'off');
      await waitUntil(() => seen.length >= 2, 'two bridged state changes');
      expect(seen).toEqual(['custom/ha light.bedside', 'custom/ha light.bedside']);
    } finally {
      await hub.stop();
    }
  });
});
