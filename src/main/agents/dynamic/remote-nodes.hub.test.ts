/**
 * Code agents with a `node`: the DynamicAgent routes hand them to the hub's NodeRegistry, and a real
 * node (in-process: its own SQLite, sandbox and MQTT client) connected to the hub's embedded broker
 * runs them. Create, task, hot-swap (a new version sent to the node), rollback, delete — all over
 * the same REST routes as local agents.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWactorz } from '../../wactorz.js';
import { silentLogger } from '../../base/logger.js';
import { startNode, type RunningNode } from '../../nodes/index.js';
import type { Json } from '../../testing/http.js';
import { installEnrollment } from '../../nodes/trust/node-fleet-key.js';

const code = (version: number) => `export async function handleTask(agent, p) {\n  agent.state.calls = (agent.state.calls ?? 0) + 1;\n  return { version: ${version}, calls: agent.state.calls, echo: p };\n}`;

let root: string;
let hub: Awaited<ReturnType<typeof startWactorz>>;
let node: RunningNode;
const rest = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
  const r = await fetch(`${hub.restUrl}${path}`, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  return { status: r.status, body: await r.json() };
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wz-dyn-nodes-'));
  hub = await startWactorz({ stateDir: join(root, 'hub'), llm: { provider: 'none' }, interface: 'rest', restPort: 0, monitorPort: null, mqtt: { port: 0 } }, { log: silentLogger, env: {} });
  // Enrolled as a person does it: the hub answers with the node's key, the node stores it.
  const enrolled = await rest('POST', '/nodes/n1/enroll');
  expect(enrolled.status).toBe(201);
  await installEnrollment(join(root, 'n1'), 'n1', enrolled.body.code);
  node = await startNode({ name: 'n1', stateDir: join(root, 'n1'), broker: { url: `mqtt://127.0.0.1:${hub.mqttPort}` }, heartbeatMs: 300, log: () => {} });
}, 60_000);
afterAll(async () => {
  await node?.stop();
  await hub?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
}, 60_000);

describe('DynamicAgents on a remote node (real node, hub broker)', () => {
  it('creates it on the node, answers its tasks through the hub, hot-swaps, rolls back and deletes it', async () => {
    const created = await rest('POST', '/agents', { name: 'far', code: code(1), node: 'n1', description: 'Lives on n1' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: 'far', node: 'n1', version: 1, state: 'running' });
    expect(hub.system.get('far')).toBeUndefined(); // not on the hub
    expect((await rest('GET', '/agents/far')).body).toMatchObject({ registered: true, spec: { node: 'n1', version: 1, description: 'Lives on n1' } });

    expect((await rest('POST', '/agents/far/tasks', { payload: { x: 1 } })).body).toEqual({ result: { version: 1, calls: 1, echo: { x: 1 } } });

    const swapped = await rest('PUT', '/agents/far/code', { code: code(2) });
    expect(swapped.body).toMatchObject({ node: 'n1', version: 2, state: 'running' });
    expect((await rest('POST', '/agents/far/tasks', { payload: 'y' })).body.result).toMatchObject({ version: 2, echo: 'y' });
    const back = await rest('POST', '/agents/far/rollback', { version: 1 });
    expect(back.body).toMatchObject({ node: 'n1', version: 3, rolled_back_to: 1 });
    expect((await rest('POST', '/agents/far/tasks', { payload: 'z' })).body.result).toMatchObject({ version: 1, echo: 'z' });
    expect((await rest('GET', '/agents/far/code')).body.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);

    // A version that does not parse is refused here, before it travels.
    const bad = await rest('PUT', '/agents/far/code', { code: 'export async function handleTask(agent, p) {\n  return p +;\n}' });
    expect(bad.status).toBe(400);
    expect(bad.body.detail.diagnostics[0]).toMatchObject({ line: 2 });

    expect((await rest('DELETE', '/agents/far')).body).toEqual({ name: 'far', removed: true });
    expect((await rest('GET', '/agents/far')).status).toBe(404);
  });

  it('a name that runs on the hub cannot be placed on a node', async () => {
    expect((await rest('POST', '/agents', { name: 'near', code: code(1) })).status).toBe(201);
    const clash = await rest('POST', '/agents', { name: 'near', code: code(1), node: 'n1', replace: true });
    expect(clash.status).toBe(409);
    expect(clash.body.error).toMatch(/runs on the hub/);
  });
});
