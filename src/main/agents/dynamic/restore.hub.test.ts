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
import { actorIdFor } from '../../core/actor-id.js';
import { silentLogger } from '../../base/logger.js';
import { connectRecordingClient, type RecordingClient } from '../../broker/testing/mqtt-test-client.js';
import { healthSchema } from '../../server/openapi/response-schemas.js';
import type { Json } from '../../testing/http.js';
import { waitUntil } from '../../testing/wait.js';
import { startWactorz } from '../../wactorz.js';
import type { WactorzHandle } from '../../wactorz-handle.js';

/**
 * Records the topics it sees: `#` is refused (it reaches system/…: src/main/grants), what it declared
 * (`test/#`) arrives; a task runs `p.expr` and reports.
 */
const WATCHER = `const seen = [];
export async function setup(agent) {
  agent.subscribe('#', (_payload, topic) => seen.push(topic));
  agent.subscribe('test/#', (_payload, topic) => seen.push(topic));
}
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
    const r = await rest('POST', '/agents', { name, code, ...(name === 'watcher' ? { publishes: ['watch/#'], subscribes: ['test/#'] } : {}) });
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
    const seen: string[] = [];
    const logs: string[] = [];
    // (the hub's own retained report arrives on subscribing: only the agent's fake, total 0, counts)
    const off = hub.bus.subscribe(topics.systemRestore, (_t, p) => void (JSON.parse(p.toString()).total === 0 && seen.push('fake')));
    const offMarker = hub.bus.subscribe('watch/marker', () => seen.push('marker'));
    const offLogs = hub.bus.subscribe(`agents/${actorIdFor('watcher')}/logs`, (_t, p) => logs.push(JSON.parse(p.toString()).message));
    try {
      // publish is fire-and-forget for the agent: the refusal goes to its log; the marker after it arrives.
      await task('watcher', { expr: "(agent.publish('system/restore', { state: 'done', total: 0 }, { retain: true }), agent.publish('watch/marker', 1), 1)" });
      await waitUntil(() => seen.includes('marker'), 'the marker published after the refused one');
      expect(seen).toEqual(['marker']);
      await waitUntil(() => logs.some((l) => /may not publish on system\/restore/.test(l)), 'the refusal in the agent\'s log');
      // subscribe is fire-and-forget too: refused at the host, in the log, and the agent keeps running.
      await task('watcher', { expr: "(agent.subscribe('system/restore', () => {}), 1)" });
      await waitUntil(() => logs.some((l) => /may not subscribe to system\/restore/.test(l)), 'the subscription refused in the agent\'s log');
      expect(hub.system.get('watcher')!.state).toBe('running');
    } finally {
      off();
      offMarker();
      offLogs();
    }
    // The retained report is still the hub's.
    const late = await connectRecordingClient(`mqtt://127.0.0.1:${hub.mqttPort}`);
    try {
      await late.subscribe(topics.systemRestore);
      const msg = await waitUntil(() => late.received.find((m) => m.topic === topics.systemRestore), 'the retained report');
      expect(JSON.parse(msg.payload)).toMatchObject({ state: 'done', total: 3 });
    } finally {
      await late.end();
    }
  });

  it('no subscription delivers it (`#` is refused; a later message on a declared wildcard does arrive)', async () => {
    hub.bus.publish(topics.systemRestore, { state: 'restoring', total: 9, restored: 0, failed: 0, pending: 9, started_at: 1, finished_at: null, timestamp: 1 });
    hub.bus.publish('test/marker', { after: 'restore' });
    const seen = await waitUntil(async () => {
      const r = (await task('watcher', {})) as { seen: string[] };
      return r.seen.includes('test/marker') ? r.seen : undefined;
    }, 'the watcher to see the marker');
    expect(seen).not.toContain(topics.systemRestore);
  });
});
