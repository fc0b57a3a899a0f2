/**
 * A real headless hub for the dashboard e2e: startWactorz with a temp state dir, ephemeral ports,
 * the e2e dashboard build, and an LLM that is the project's scripted LLM server (OpenAI wire
 * protocol) so replies are known in advance.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../../src/main/llm/testing/scripted-llm-server.js';
import { startWactorz } from '../../src/main/wactorz.js';
import type { WactorzHandle } from '../../src/main/wactorz-handle.js';
import { ensureRendererBuilt } from './renderer-build.js';

export interface TestHub {
  /** http://127.0.0.1:<port>/ */
  url: string;
  handle: WactorzHandle;
  llm: ScriptedLlmServer;
  stateDir: string;
  /** Dashboard token when the hub requires one. */
  token: string | null;
  /** REST call on the hub's /api (adds the token). */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startTestHub(opts: { host?: string; heartbeatMs?: number; env?: Record<string, string | undefined>; dashboardDir?: string } = {}): Promise<TestHub> {
  // Another page to serve instead of our dashboard (the original's, for its compatibility test).
  const dashboardDir = opts.dashboardDir ?? (await ensureRendererBuilt());
  const llm = await startScriptedLlmServer();
  const stateDir = await mkdtemp(join(tmpdir(), 'wactorz-e2e-'));
  const logs: string[] = [];
  let handle: WactorzHandle;
  try {
    handle = await startWactorz(
      {
        stateDir,
        host: opts.host ?? '127.0.0.1',
        llm: { provider: 'openai', apiKey: 'e2e-key', baseUrl: llm.urls.openai, model: 'gpt-4o-mini', maxRetries: 0 },
        interface: 'none',
        monitorPort: 0,
        mqtt: { port: 0 },
        dashboardDir,
        timing: { heartbeatMs: opts.heartbeatMs ?? 2_000, monitorCheckMs: 5_000, monitorWarnMs: 60_000, monitorCriticalMs: 120_000, healthMs: 5_000 },
      },
      // `env` adds to (or with undefined, removes from) the process environment, e.g. HA_URL/HA_TOKEN.
      { log: (level, message) => logs.push(`${level} ${message}`), ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}) },
    );
  } catch (e) {
    await llm.close();
    await rm(stateDir, { recursive: true, force: true });
    throw e;
  }
  const port = new URL(handle.dashboardUrl!).port;
  const url = `http://127.0.0.1:${port}/`;
  const token = handle.dashboardToken ?? null;
  return {
    url,
    handle,
    llm,
    stateDir,
    token,
    async api<T>(method: string, path: string, body?: unknown) {
      const headers: Record<string, string> = {};
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(new URL(`api/${path.replace(/^\//, '')}`, url), { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed as T };
    },
    async stop() {
      await handle.stop();
      await llm.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * Why a hub feature is missing, or null when the route exists: the hub answers an unknown route
 * with 404 `{error: 'not found', detail: '<METHOD> <url>'}`, a known one with anything else.
 */
export async function missingRoute(hub: TestHub, method: string, path: string, body?: unknown): Promise<string | null> {
  const r = await hub.api<{ error?: string; detail?: unknown }>(method, path, body);
  const unknownRoute = r.status === 404 && r.body?.error === 'not found' && typeof r.body.detail === 'string' && r.body.detail.startsWith(`${method} /api/`);
  return unknownRoute ? `the hub has no ${method} /api/${path} yet` : null;
}
