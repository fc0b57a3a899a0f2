/**
 * Restore progress as the outside sees it, on a real hub restarted over the same state dir: the
 * `restore` field of GET /health (the documented response schema), the retained `system/restore`
 * topic a dashboard gets on subscribing, and agents kept off that topic — they can neither
 * publish on it nor subscribe to it, and a wildcard subscription never delivers it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreProgressSchema } from '../../../shared/mqtt-payloads.js';
import { topics } from '../../../shared/topics.js';
import { silentLogger } from '../../base/logger.js';
import { connectRecordingClient, type RecordingClient } from '../../broker/testing/mqtt-test-client.js';
import { healthSchema } from '../../server/openapi/response-schemas.js';
import type { Json } from '../../testing/http.js';
import { waitUntil } from '../../testing/wait.js';
import { startWactorz } from '../../wactorz.js';
import type { WactorzHandle } from '../../wactorz-handle.js';

/** Records the system/… topics it sees (through `system/#`); a task runs `p.expr` and reports. */
const WATCHER = `const seen = [];
export async function setup(agent) { agent.subscribe('system/#', (topic) => seen.push(topic)); }
export async function handleTask(agent, p) {
  if (!p.expr) return { seen };
  try { return { ok: true, value: await (new Function('agent', 'return (async () => (' + p.expr + '))()'))(agent) }; }
  catch (e) { return { ok: false, error: String(e && e.message || e) }; }
}`;
const PLAIN = 'export async function handleTask() { return 1; }';

let dir: string;
let hub: WactorzHandle;
let dashboard: RecordingClient;
const start = () => startWactorz({ stateDir: dir, llm: { provider: 'none' }, interface: 'rest', restPort: 0, monitorPort: null, mqtt: { port: 0 } }, { log: silentLogger, env: {} });
const rest = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
  const r = await fetch(`${hub.restUrl}${path}`, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  return { status: r.status, body: await r.json() };
};
const task = async (name: string, payload: unknown): Promise<Json> => (await rest('POST', `/agents/${name}/tasks`, { payload })).body.result;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wz-restore-hub-'));
  hub = await start();
  for (const [name, code] of [['watcher', WATCHER], ['plain-1', PLAIN], ['plain-2', PLAIN]] as const) {
    const r = await rest('POST', '/agents', { name, code });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  await hub.stop();
  hub = await start();
  dashboard = await connectRecordingClient(`mqtt://127.0.0.1:${hub.mqttPort}`);
});
afterAll(async () => {
  await dashboard?.end();
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('restore progress after a restart', () => {
  it('GET /health says how far the restore is, in the documented shape', async () => {
    const first = await rest('GET', '/health');
    expect(first.status).toBe(200);
    expect(healthSchema.safeParse(first.body).success).toBe(true);
    expect(first.body.restore).toMatchObject({ total: 3 });
    const done = await waitUntil(async () => {
      const h = (await rest('GET', '/health')).body;
      return h.restore.state === 'done' ? h : undefined;
    }, 'the restore to finish');
    expect(done.restore).toMatchObject({ state: 'done', total: 3, restored: 3, failed: 0, pending: 0 });
    expect(done.restore.finished_at).toBeGreaterThanOrEqual(done.restore.started_at);
    expect(healthSchema.safeParse(done).success).toBe(true);
  });

  it('the retained system/restore reaches a dashboard that subscribes after the fact', async () => {
    await waitUntil(async () => (await rest('GET', '/health')).body.restore.state === 'done', 'the restore to finish');
    await dashboard.subscribe(topics.systemRestore);
    const msg = await waitUntil(() => dashboard.received.findLast((m) => m.topic === topics.systemRestore && JSON.parse(m.payload).state === 'done'), 'the retained done report');
    expect(msg.retain).toBe(true);
    const parsed = restoreProgressSchema.parse(JSON.parse(msg.payload));
    expect(parsed).toMatchObject({ state: 'done', total: 3, restored: 3, pending: 0 });
  });
});

describe('agents and system/restore', () => {
  it('an agent can neither publish on it nor subscribe to it', async () => {
    expect(await task('watcher', { expr: "agent.publish('system/restore', { state: 'done', total: 0 })" })).toEqual({
      ok: false,
      error: expect.stringMatching(/may not publish on system\/restore/),
    });
    expect(await task('watcher', { expr: "agent.subscribe('system/restore', () => {})" })).toEqual({
      ok: false,
      error: expect.stringMatching(/may not subscribe to system\/restore/),
    });
    // Nothing it tried reached the dashboard: the retained report is still the hub's.
    const retained = await connectRecordingClient(`mqtt://127.0.0.1:${hub.mqttPort}`);
    try {
      await retained.subscribe(topics.systemRestore);
      const msg = await waitUntil(() => retained.received.find((m) => m.topic === topics.systemRestore), 'the retained report');
      expect(JSON.parse(msg.payload)).toMatchObject({ state: 'done', total: 3 });
    } finally {
      await retained.end();
    }
  });

  it('a wildcard subscription never delivers it (a later message on the same wildcard does arrive)', async () => {
    await dashboard.publish(topics.systemRestore, JSON.stringify({ state: 'restoring', total: 9, restored: 0, failed: 0, pending: 9, started_at: 1, finished_at: null, timestamp: 1 }), { qos: 1 });
    await dashboard.publish('system/marker', JSON.stringify({ after: 'restore' }), { qos: 1 });
    const seen = await waitUntil(async () => {
      const r = (await task('watcher', {})) as { seen: string[] };
      return r.seen.includes('system/marker') ? r.seen : undefined;
    }, 'the watcher to see the marker');
    expect(seen).not.toContain(topics.systemRestore);
  });
});
