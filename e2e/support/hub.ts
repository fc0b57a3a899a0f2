/**
 * A real headless hub for the dashboard e2e: the project's test hub (src/main/testing/test-hub.ts)
 * with the e2e dashboard build, the scripted LLM server (OpenAI wire protocol) so replies are known
 * in advance, and this process's environment underneath the test's own variables.
 */
import type { ScriptedLlmServer } from '../../src/main/llm/testing/scripted-llm-server.js';
import { startTestHub as startHub, type TestHub as BaseTestHub, type TestHubOptions } from '../../src/main/testing/test-hub.js';
import { ensureRendererBuilt } from './renderer-build.js';

export interface TestHub extends BaseTestHub {
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  readonly llm: ScriptedLlmServer;
}

export async function startTestHub(opts: { host?: string; heartbeatMs?: number; env?: Record<string, string | undefined>; nodes?: TestHubOptions['nodes']; dashboardDir?: string } = {}): Promise<TestHub> {
  // Another page to serve instead of our dashboard (the original's, for its compatibility test).
  const dashboardDir = opts.dashboardDir ?? (await ensureRendererBuilt());
  const hub = await startHub({
    llm: 'scripted',
    dashboard: dashboardDir,
    interface: 'none',
    ...(opts.host ? { host: opts.host } : {}),
    // `env` adds to (or with undefined, removes from) the process environment, e.g. HA_URL/HA_TOKEN.
    env: { ...process.env, ...opts.env },
    timing: { heartbeatMs: opts.heartbeatMs ?? 2_000, monitorCheckMs: 5_000, monitorWarnMs: 60_000, monitorCriticalMs: 120_000, healthMs: 5_000 },
    ...(opts.nodes ? { nodes: opts.nodes } : {}),
  });
  return hub as TestHub;
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
