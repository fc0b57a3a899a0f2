/**
 * Issue 15's bug: `/migrate <agent> <node>` to a node that does not exist exported the agent from its
 * node and left it nowhere — the move waited forever for a target that never answers, the agent
 * could not be moved again or deleted (409), and all of it survived a hub restart. On a real
 * Mosquitto with real nodes (in-process): such a move is refused before anything changes, and a
 * move stranded on a target that went away for good can be redirected or deleted, also after the
 * hub restarted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mosquittoAvailability, startMosquitto, type MosquittoServer } from '../../broker/testing/mosquitto.js';
import { waitUntil } from '../../testing/wait.js';
import { connectExternalBus, type ExternalBus } from '../../broker/external-bus.js';
import { ActorSystem } from '../../core/actor-system.js';
import { openPersistence } from '../../persistence/open-persistence.js';
import type { Persistence } from '../../persistence/persistence.js';
import { startNode, type RunningNode } from '../node/wactorz-node.js';
import { NodeRegistry } from './node-registry.js';
import { MemorySecretStore } from '../../secrets/memory-secret-store.js';
import { enrollNode } from '../testing/enroll.js';

const availability = mosquittoAvailability();
if (availability.skip) console.warn(availability.skip);

const COUNTER = `
export async function handleTask(agent, task) {
  if (task && task.action === 'get') return { count: agent.state.count ?? 0 };
  agent.state.count = (agent.state.count ?? 0) + 1;
  return { count: agent.state.count };
}`;

describe.skipIf(availability.skip !== undefined)('migrating to a node that is not there', () => {
  let mq: MosquittoServer;
  let root: string;
  let n1: RunningNode;
  let hubPersistence: Persistence;
  let hubBus: ExternalBus;
  let hubSystem: ActorSystem;
  let registry: NodeRegistry;
  const openRegistry = async (): Promise<NodeRegistry> => {
    // One secret store across the hub's restarts, as the hub's own keeps the fleet keys.
    const r = new NodeRegistry({ bus: hubBus, persistence: hubPersistence, system: hubSystem, secrets, checkMs: 200, commandRetryMs: 1_000, spawnWaitMs: 20_000 });
    await r.start();
    return r;
  };
  const secrets = new MemorySecretStore();
  /** Enrolled with the hub first (nodes run only their hub's signed commands), then started. */
  const startN = async (name: string) => {
    await enrollNode(registry, name, join(root, name));
    return startNode({ name, stateDir: join(root, name), broker: { url: mq.url }, heartbeatMs: 300, log: () => {} });
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wactorz-migrate-'));
    mq = await startMosquitto();
    hubPersistence = await openPersistence({ stateDir: join(root, 'hub') });
    hubBus = connectExternalBus({ url: mq.url, log: () => {} });
    await hubBus.waitConnected(10_000);
    hubSystem = new ActorSystem({ bus: hubBus, persistence: hubPersistence, heartbeatMs: 60_000 });
    registry = await openRegistry();
    n1 = await startN('n1');
    // n2 existed once, then went away for good: a move to it strands the agent until redirected or deleted.
    const n2 = await startN('n2');
    await waitUntil(() => registry.online('n1') && registry.online('n2'), 'n1 and n2 online for the hub', 20_000);
    await n2.stop();
  }, 60_000);

  afterAll(async () => {
    await registry?.stop();
    await hubSystem?.shutdown();
    await hubBus?.close();
    await hubPersistence?.close();
    await n1?.stop();
    await mq?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('refuses a move to a node that never connected, before the agent leaves its node', async () => {
    expect(await registry.spawnOnNode({ name: 'keeper', node: 'n1', code: COUNTER })).toMatchObject({ status: 'running' });
    expect(await registry.askRemote('keeper', { action: 'inc' }, 10_000)).toEqual({ count: 1 });

    // A name the hub never enrolled is refused by the fleet's trust; one enrolled but never
    // connected (a typo of a real node's enrollment, a machine never started) by this check.
    await expect(registry.migrate('keeper', 'ghost', { waitMs: 2_000 })).rejects.toThrow(/ghost is not enrolled/);
    await registry.enrollment.enroll('phantom');
    const refused = registry.migrate('keeper', 'phantom', { waitMs: 2_000 });
    await expect(refused).rejects.toMatchObject({ kind: 'not_found' });
    await expect(refused).rejects.toThrow(/no node "phantom".*nodes: n1, n2/);

    // Nothing moved: still on n1, still answering with its state, and no node was made up.
    expect(registry.nodeOf('keeper')).toBe('n1');
    expect(n1.agents.has('keeper')).toBe(true);
    expect(await registry.askRemote('keeper', { action: 'get' }, 10_000)).toEqual({ count: 1 });
    // (phantom is listed because it was enrolled, with nothing placed there.)
    expect(registry.listNodes().map((n) => n.name)).toEqual(['n1', 'n2', 'phantom']);
    expect(registry.listNodes().find((n) => n.name === 'phantom')).toMatchObject({ online: false, placed: [], pending_commands: 0 });
  }, 60_000);

  it('a move stranded on a node that went away is redirected, with its state, also after a hub restart', async () => {
    const stranded = await registry.migrate('keeper', 'n2', { waitMs: 3_000 });
    expect(stranded).toMatchObject({ ok: true, status: 'moving', to: 'n2' });
    await waitUntil(() => !n1.agents.has('keeper'), 'keeper exported from n1');

    // The hub restarts meanwhile: the stranded move is in its database.
    await registry.stop();
    registry = await openRegistry();
    await waitUntil(() => registry.online('n1'), 'n1 online again for the hub', 20_000);

    const back = await registry.migrate('keeper', 'n1', { waitMs: 20_000 });
    expect(back).toMatchObject({ ok: true, status: 'done', from: 'n1', to: 'n1' });
    expect(registry.nodeOf('keeper')).toBe('n1');
    expect(await registry.askRemote('keeper', { action: 'get' }, 10_000)).toEqual({ count: 1 });
    // What waited for n2 is no longer waiting.
    expect(registry.outbox.pending('n2')).toEqual([]);
    expect(registry.listNodes().find((n) => n.name === 'n2')).toMatchObject({ placed: [], pending_commands: 0 });
    // And it can move again.
    await expect(registry.migrate('keeper', 'phantom')).rejects.toMatchObject({ kind: 'not_found' });
  }, 60_000);

  it('an agent stranded on its way can be deleted', async () => {
    expect(await registry.spawnOnNode({ name: 'drifter', node: 'n1', code: COUNTER })).toMatchObject({ status: 'running' });
    expect(await registry.migrate('drifter', 'n2', { waitMs: 3_000 })).toMatchObject({ status: 'moving' });

    expect(await registry.removeFromNode('drifter', { waitMs: 1_000 })).toMatchObject({ ok: true, name: 'drifter' });
    expect(registry.isRemote('drifter')).toBe(false);
    expect(registry.placements().map((p) => p.name)).toEqual(['keeper']);
    // Its name is free again.
    expect(await registry.spawnOnNode({ name: 'drifter', node: 'n1', code: COUNTER })).toMatchObject({ status: 'running' });
    expect(await registry.askRemote('drifter', { action: 'inc' }, 10_000)).toEqual({ count: 1 });
  }, 60_000);
});
