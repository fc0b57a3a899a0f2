/**
 * The remote-node protocol piece by piece, on a real Mosquitto: a node (in-process, real ExternalBus,
 * real sandbox, its own SQLite) driven by MQTT messages a test client publishes — signed with the
 * node's key the way the hub signs them (the hub's NodeRegistry.trust.seal) — and the hub's
 * NodeRegistry (its own SQLite and bus) for the refusals and replacements it decides.
 * Forgeries and replays: fleet-trust.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mosquittoAvailability, startMosquitto, type MosquittoServer } from '../broker/testing/mosquitto.js';
import { connectRecordingClient, type RecordingClient } from '../broker/testing/mqtt-test-client.js';
import { connectExternalBus, type ExternalBus } from '../broker/external-bus.js';
import { ActorSystem } from '../core/actor-system.js';
import { openPersistence } from '../persistence/open-persistence.js';
import type { Persistence } from '../persistence/persistence.js';
import { startNode, type RunningNode } from './node/wactorz-node.js';
import { NodeRegistry, NodeRegistryError } from './hub/node-registry.js';
import { nodeTopics } from '../../shared/node-protocol.js';
import type { Json } from '../testing/http.js';
import { MemorySecretStore } from '../secrets/memory-secret-store.js';
import { enrollNode } from './testing/enroll.js';
import { waitUntil } from '../testing/wait.js';

const availability = mosquittoAvailability();
if (availability.skip) console.warn(availability.skip);

const COUNTER = `
export async function setup(agent) { agent.state.count = agent.state.count ?? 0; }
export async function handleTask(agent, task) {
  if (task && task.action === 'get') return { count: agent.state.count, version: 1 };
  agent.state.count = (agent.state.count ?? 0) + 1;
  return { count: agent.state.count };
}`;

describe.skipIf(availability.skip !== undefined)('the node protocol on a real Mosquitto', () => {
  let mq: MosquittoServer;
  let root: string;
  let node: RunningNode;
  let client: RecordingClient;
  const nodeLog: string[] = [];

  let hubPersistence: Persistence;
  let hubBus: ExternalBus;
  let hubSystem: ActorSystem;
  let registry: NodeRegistry;

  const acks = (id: string): Json[] => client.received.filter((m) => m.topic === nodeTopics.ack('n1')).map((m) => JSON.parse(m.payload) as Json).filter((a) => a.command_id === id);
  const hubSecrets = new MemorySecretStore();
  const send = async (kind: string, payload: Record<string, unknown>): Promise<void> => client.publish(`nodes/n1/${kind}`, JSON.stringify(registry.trust.seal('n1', `nodes/n1/${kind}`, payload)), { qos: 1 });
  const command = async (kind: string, payload: Record<string, unknown>, count = 1): Promise<Json> => {
    await send(kind, payload);
    await waitUntil(() => acks(String(payload.command_id)).length >= count, `ack of ${kind} ${String(payload.command_id)}`, 20_000);
    return acks(String(payload.command_id)).at(-1);
  };
  const created = (name: string) => nodeLog.filter((l) => l.includes(`spawn ${name} `) && l.endsWith('created')).length;
  const taskOnNode = (name: string, task: unknown) => node.system.ask<Json>(name, task, 10_000);

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wactorz-node-protocol-'));
    mq = await startMosquitto({ extraConfig: ['set_tcp_nodelay true'] });
    hubPersistence = await openPersistence({ stateDir: join(root, 'hub') });
    hubBus = connectExternalBus({ url: mq.url, log: () => {} });
    await hubBus.waitConnected(10_000);
    hubSystem = new ActorSystem({ bus: hubBus, persistence: hubPersistence, heartbeatMs: 60_000 });
    registry = new NodeRegistry({ bus: hubBus, persistence: hubPersistence, system: hubSystem, secrets: hubSecrets, checkMs: 200, commandRetryMs: 1_000, spawnWaitMs: 20_000 });
    await registry.start();
    await enrollNode(registry, 'n1', join(root, 'n1'));
    await enrollNode(registry, 'n2', join(root, 'n2'));

    node = await startNode({ name: 'n1', stateDir: join(root, 'n1'), broker: { url: mq.url }, heartbeatMs: 300, log: (_l, m) => nodeLog.push(m) });
    client = await connectRecordingClient(mq.url);
    await client.subscribe(['nodes/n1/ack', 'nodes/n1/agents', 'nodes/n1/migrate_result', 'nodes/n1/heartbeat'], 1);
  }, 60_000);

  afterAll(async () => {
    await registry?.stop();
    await hubSystem?.shutdown();
    await hubBus?.close();
    await hubPersistence?.close();
    await client?.end();
    await node?.stop();
    await mq?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('applies a spawn once per command id, acknowledges a repeat as a duplicate, refuses an invalid one', async () => {
    const spawn = { command_id: 's1', name: 'counter', code: COUNTER, version: 3, description: 'counts' };
    expect(await command('spawn', spawn)).toMatchObject({ ok: true, kind: 'spawn', node: 'n1' });
    expect(await command('spawn', spawn, 2)).toMatchObject({ ok: true, duplicate: true });
    expect(created('counter')).toBe(1);
    expect(await taskOnNode('counter', { action: 'inc' })).toEqual({ count: 1 });

    const bad = await command('spawn', { command_id: 's-bad', name: 'nocode' });
    expect(bad).toMatchObject({ ok: false });
    expect(bad.error).toMatch(/code/);
    const crashing = await command('spawn', { command_id: 's-crash', name: 'crasher', code: 'export async function setup() { throw new Error("boom in setup"); }' });
    expect(crashing).toMatchObject({ ok: false });
    expect(crashing.error).toMatch(/boom in setup/);
    expect(node.agents.names()).toEqual(['counter']);
  });

  it('answers list with what it runs, echoing the id', async () => {
    await send('list', { command_id: 'l1' });
    await waitUntil(() => client.received.some((m) => m.topic === 'nodes/n1/agents' && m.payload.includes('"l1"')), 'the agents reply');
    const reply = JSON.parse(client.received.find((m) => m.topic === 'nodes/n1/agents' && m.payload.includes('"l1"'))!.payload) as Json;
    expect(reply).toMatchObject({ node: 'n1', command_id: 'l1', agents: [{ name: 'counter', state: 'running', version: 3, language: 'javascript', description: 'counts' }] });
  });

  it('moves in with a given state; exports an agent for migration once, repeating the same result', async () => {
    expect(await command('spawn', { command_id: 's2', name: 'mover', code: COUNTER, state: { count: 41 } })).toMatchObject({ ok: true });
    expect(await taskOnNode('mover', { action: 'inc' })).toEqual({ count: 42 });
    expect(await command('migrate', { command_id: 'm1', name: 'mover', to: 'n2' })).toMatchObject({ ok: true });
    // Each copy is signed afresh (its own sequence number): compare what they say.
    const results = () => client.received.filter((m) => m.topic === 'nodes/n1/migrate_result').map((m) => ({ ...(JSON.parse(m.payload) as Json), auth: undefined }));
    await waitUntil(() => results().length === 1, 'the migrate result');
    expect(results()[0]).toMatchObject({ command_id: 'm1', ok: true, name: 'mover', to: 'n2', node: 'n1', state: { count: 42 }, spec: { name: 'mover', code: COUNTER } });
    expect(node.agents.has('mover')).toBe(false);
    // The hub missed it? The same id gives the same export again, nothing more.
    expect(await command('migrate', { command_id: 'm1', name: 'mover', to: 'n2' }, 2)).toMatchObject({ duplicate: true });
    await waitUntil(() => results().length === 2, 'the repeated migrate result');
    expect(results()[1]).toEqual(results()[0]);
    const missing = await command('migrate', { command_id: 'm2', name: 'ghost', to: 'n2' });
    expect(missing).toMatchObject({ ok: false });
  });

  it('reconciles to a desired state: extras issued before it go, newer ones and stale revisions do not', async () => {
    expect(await command('spawn', { command_id: 's3', name: 'old', code: COUNTER, issued_at: 100 })).toMatchObject({ ok: true });
    const newer = Date.now() / 1000 + 60;
    expect(await command('spawn', { command_id: 's4', name: 'fresh', code: COUNTER, issued_at: newer })).toMatchObject({ ok: true });
    const desired = { command_id: 'd1', revision: 10, timestamp: Date.now() / 1000, agents: [{ command_id: 's1', name: 'counter', code: COUNTER, version: 3, description: 'counts' }, { command_id: 's5', name: 'wanted', code: COUNTER }] };
    expect(await command('desired_state', desired)).toMatchObject({ ok: true });
    expect(node.agents.names().sort()).toEqual(['counter', 'fresh', 'wanted']);
    expect(await taskOnNode('counter', { action: 'get' })).toMatchObject({ count: 1 }); // untouched: its spawn id was applied
    // An older revision changes nothing (no ack either: it is simply ignored).
    await send('desired_state', { command_id: 'd0', revision: 9, timestamp: Date.now() / 1000, agents: [] });
    // Commands are applied in arrival order: once this one is acknowledged, the stale snapshot was seen.
    expect(await command('stop', { command_id: 'x0', name: 'not-here' })).toMatchObject({ ok: true });
    expect(node.agents.names().sort()).toEqual(['counter', 'fresh', 'wanted']);
  });

  it('stops one agent, then all, each once', async () => {
    expect(await command('stop', { command_id: 'x1', name: 'fresh' })).toMatchObject({ ok: true });
    expect(node.agents.has('fresh')).toBe(false);
    expect(await command('stop', { command_id: 'x1', name: 'fresh' }, 2)).toMatchObject({ duplicate: true });
    expect(await command('stop_all', { command_id: 'x2' })).toMatchObject({ ok: true });
    expect(node.agents.names()).toEqual([]);
  });

  it('the hub refuses what a node cannot run, reports what the node refused, and replaces in place', async () => {
    await waitUntil(() => registry.online('n1'), 'n1 online for the hub');
    await expect(registry.spawnOnNode({ name: 'chatty', node: 'n1', type: 'llm', code: 'x' })).rejects.toMatchObject({ kind: 'bad_input' });
    const badCode = await registry.spawnOnNode({ name: 'broken', node: 'n1', code: 'export async function handleTask( {' }).catch((e: unknown) => e);
    expect(badCode).toBeInstanceOf(NodeRegistryError);
    expect((badCode as NodeRegistryError).kind).toBe('bad_input');
    await expect(registry.spawnOnNode({ name: 'x', node: 'bad/node', code: COUNTER })).rejects.toMatchObject({ kind: 'bad_input' });

    const refused = await registry.spawnOnNode({ name: 'crasher2', node: 'n1', code: 'export async function setup() { throw new Error("nope"); }' });
    expect(refused).toMatchObject({ ok: false, status: 'refused' });
    expect(refused.message).toMatch(/nope/);
    expect(registry.placements('n1').find((p) => p.name === 'crasher2')).toMatchObject({ status: 'refused' });

    expect(await registry.spawnOnNode({ name: 'tally', node: 'n1', code: COUNTER })).toMatchObject({ status: 'running', version: 1 });
    expect(await registry.askRemote('tally', { action: 'inc' }, 10_000)).toEqual({ count: 1 });
    await expect(registry.spawnOnNode({ name: 'tally', node: 'n1', code: COUNTER })).rejects.toMatchObject({ kind: 'conflict' });
    const v2 = COUNTER.replace('version: 1', 'version: 2');
    expect(await registry.spawnOnNode({ name: 'tally', node: 'n1', code: v2, replace: true })).toMatchObject({ status: 'running', version: 2 });
    expect(await registry.askRemote('tally', { action: 'get' }, 10_000)).toEqual({ count: 1, version: 2 }); // hot-swapped, state kept

    await expect(registry.migrate('tally', 'n1')).rejects.toMatchObject({ kind: 'conflict' });
    await expect(registry.migrate('nobody', 'n2')).rejects.toMatchObject({ kind: 'not_found' });
    expect((await registry.requestList('n1'))?.agents.map((a) => a.name).sort()).toEqual(['tally']);

    expect(await registry.removeFromNode('tally')).toMatchObject({ ok: true, node: 'n1' });
    expect(node.agents.has('tally')).toBe(false);
    expect(registry.isRemote('tally')).toBe(false);
    await expect(registry.askRemote('tally', { action: 'get' }, 1_500)).rejects.toMatchObject({ kind: 'timeout' });
  }, 60_000);

  it('a command for a node that has never been online waits in the outbox and survives a hub restart', async () => {
    const report = await registry.spawnOnNode({ name: 'later', node: 'n2', code: COUNTER }, { waitMs: 300 });
    expect(report).toMatchObject({ ok: true, status: 'queued' });
    expect(registry.listNodes().find((n) => n.name === 'n2')).toMatchObject({ online: false, placed: ['later'], pending_commands: 1 });
    // The hub goes away and comes back: the outbox is in its database.
    await registry.stop();
    registry = new NodeRegistry({ bus: hubBus, persistence: hubPersistence, system: hubSystem, secrets: hubSecrets, checkMs: 200, commandRetryMs: 1_000 });
    await registry.start();
    expect(registry.outbox.pending('n2').map((c) => c.kind)).toEqual(['spawn']);
    const n2 = await startNode({ name: 'n2', stateDir: join(root, 'n2'), broker: { url: mq.url }, heartbeatMs: 300, log: (_l, m) => nodeLog.push(`n2 ${m}`) });
    try {
      await waitUntil(() => registry.outbox.pending('n2').length === 0, 'the queued spawn acknowledged by n2', 20_000);
      expect(await registry.askRemote('later', { action: 'inc' }, 10_000)).toEqual({ count: 1 });
      // Created once: by its spawn command or by the retained desired state listing it, whichever came first.
      expect(nodeLog.filter((l) => (l.startsWith('n2 spawn later') || l.startsWith('n2 desired state: later')) && l.endsWith('created')), nodeLog.filter((l) => l.startsWith('n2')).join('\n')).toHaveLength(1);
      expect(registry.placements('n2')).toMatchObject([{ name: 'later', status: 'running' }]);
    } finally {
      await n2.stop();
    }
  }, 60_000);
});
