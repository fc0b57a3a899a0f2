/**
 * startTestHub: a whole, started hub for a test (or a bench): fresh state dir, free ports, the
 * scripted LLM server on request, the environment the test gives, logs collected, one stop() that
 * removes what it made. No vitest in here (benches import it); the fixtures and the how-to are in
 * ./hub-fixture.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WactorzConfigInput } from '../config/config.js';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../llm/testing/scripted-llm-server.js';
import { startWactorz, type StartOptions } from '../wactorz.js';

export type StartedHub = Awaited<ReturnType<typeof startWactorz>>;

export interface TestHubOptions {
  /**
   * 'none' (default): no LLM configured. 'scripted': the scripted LLM server (`hub.llm`), spoken to
   * over `scriptedProtocol` (default the OpenAI wire protocol). Or an LLM configuration of your own.
   */
  llm?: 'none' | 'scripted' | WactorzConfigInput['llm'];
  scriptedProtocol?: 'openai' | 'ollama' | 'anthropic';
  /** The environment the hub reads (API_KEY, HA_URL, WACTORZ_MQTT_…). Default: empty. */
  env?: NodeJS.ProcessEnv;
  /** Address to bind (default 127.0.0.1). Beyond loopback the hub requires a token: `hub.token`. */
  host?: string;
  /** Chat interface (default 'rest', on a free port: `hub.restUrl`). */
  interface?: WactorzConfigInput['interface'];
  /** Serve the dashboard and its /api (`hub.url`): true for the default build, or a directory. */
  dashboard?: boolean | string;
  /** An external MQTT broker (mqtt://host:port) instead of the embedded one on a free port. */
  broker?: string;
  /** Reuse a state dir (it is then left in place at stop). */
  stateDir?: string;
  timing?: WactorzConfigInput['timing'];
  /** Fleet timings (online window, retries…). */
  nodes?: StartOptions['nodes'];
  llmOverrides?: StartOptions['llmOverrides'];
  /** Anything else of the configuration, applied last. */
  config?: Partial<WactorzConfigInput>;
}

export interface TestHub {
  /** The running hub (replaced by `restart()`). */
  readonly handle: StartedHub;
  readonly stateDir: string;
  /** The scripted LLM server, with `llm: 'scripted'`. */
  readonly llm: ScriptedLlmServer | undefined;
  /** http://127.0.0.1:port of the REST interface, or null. */
  readonly restUrl: string | null;
  /** http://127.0.0.1:port/ of the dashboard, or null without `dashboard`. */
  readonly url: string | null;
  /** The dashboard/REST token when the hub requires one (bound beyond loopback), else null. */
  readonly token: string | null;
  /** Every line the hub logged, as `level message`. */
  readonly logs: string[];
  /** A call on the REST interface (/agents, /chat…), with API_KEY when the environment has one. */
  rest<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** A call on the dashboard's /api, with the dashboard token when there is one. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Stops the hub and starts it again on the same state dir (same configuration). */
  restart(): Promise<void>;
  /** Stops everything the hub started; removes the state dir it made. Safe to call twice. */
  stop(): Promise<void>;
}

async function call<T>(base: string, method: string, path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: T }> {
  const h = { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
  const res = await fetch(new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`), { method, headers: h, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed as T };
}

export async function startTestHub(opts: TestHubOptions = {}): Promise<TestHub> {
  const env = opts.env ?? {};
  const ownDir = opts.stateDir === undefined;
  const stateDir = opts.stateDir ?? (await mkdtemp(join(tmpdir(), 'wz-test-hub-')));
  const llmServer = opts.llm === 'scripted' ? await startScriptedLlmServer() : undefined;
  const logs: string[] = [];
  const protocol = opts.scriptedProtocol ?? 'openai';
  const scripted = (server: ScriptedLlmServer): WactorzConfigInput['llm'] =>
    protocol === 'ollama'
      ? { provider: 'ollama', model: 'llama3', baseUrl: server.urls.ollama, maxRetries: 0 }
      : protocol === 'anthropic'
        ? { provider: 'anthropic', apiKey: 'test-key', baseUrl: server.urls.anthropic, model: 'claude-test', maxRetries: 0 }
        : { provider: 'openai', apiKey: 'test-key', baseUrl: server.urls.openai, model: 'gpt-4o-mini', maxRetries: 0 };
  const llm: WactorzConfigInput['llm'] = llmServer ? scripted(llmServer) : typeof opts.llm === 'object' ? opts.llm : { provider: 'none' };
  const config: WactorzConfigInput = {
    stateDir,
    host: opts.host ?? '127.0.0.1',
    llm,
    interface: opts.interface ?? 'rest',
    restPort: 0,
    monitorPort: opts.dashboard ? 0 : null,
    ...(typeof opts.dashboard === 'string' ? { dashboardDir: opts.dashboard } : {}),
    mqtt: opts.broker ? { broker: opts.broker, port: Number(new URL(opts.broker).port || 1883) } : { port: 0 },
    ...(opts.timing ? { timing: opts.timing } : {}),
    ...opts.config,
  };
  const start = (): Promise<StartedHub> =>
    startWactorz(config, {
      log: (level, message) => logs.push(`${level} ${message}`),
      env,
      ...(opts.nodes ? { nodes: opts.nodes } : {}),
      ...(opts.llmOverrides ? { llmOverrides: opts.llmOverrides } : {}),
    });
  const cleanup = async (): Promise<void> => {
    await llmServer?.close();
    if (ownDir) await rm(stateDir, { recursive: true, force: true });
  };

  let handle: StartedHub;
  try {
    handle = await start();
  } catch (e) {
    await cleanup();
    throw e;
  }
  const dashboardUrl = (): string | null => {
    if (!handle.dashboardUrl) return null;
    return `http://127.0.0.1:${new URL(handle.dashboardUrl).port}/`;
  };
  let stopping: Promise<void> | undefined;
  return {
    get handle() {
      return handle;
    },
    stateDir,
    llm: llmServer,
    get restUrl() {
      return handle.restUrl;
    },
    get url() {
      return dashboardUrl();
    },
    get token() {
      return handle.dashboardToken;
    },
    logs,
    rest(method, path, body) {
      if (!handle.restUrl) throw new Error('this hub has no REST interface (interface: "rest")');
      return call(handle.restUrl, method, path, body, env.API_KEY ? { 'x-api-key': env.API_KEY } : handle.dashboardToken ? { authorization: `Bearer ${handle.dashboardToken}` } : {});
    },
    api(method, path, body) {
      const url = dashboardUrl();
      if (!url) throw new Error('this hub serves no dashboard (dashboard: true)');
      return call(`${url}api/`, method, path, body, handle.dashboardToken ? { authorization: `Bearer ${handle.dashboardToken}` } : env.API_KEY ? { 'x-api-key': env.API_KEY } : {});
    },
    async restart() {
      await handle.stop();
      handle = await start();
    },
    stop: () =>
      (stopping ??= (async () => {
        try {
          await handle.stop();
        } finally {
          await cleanup();
        }
      })()),
  };
}
