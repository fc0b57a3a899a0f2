/**
 * The graph service over a real ActorSystem (in-memory bus, real persistence): who publishes and
 * listens as the actors really do it, agents heard on the bus, a fleet, states, and the MQTT
 * snapshot + deltas a dashboard rebuilds the graph from. Time is a fake clock, ticks are called.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyGraphDelta, graphDeltaMessageSchema, graphSnapshotMessageSchema, type Graph } from '../../shared/graph.js';
import { parsePayload } from '../../shared/mqtt-payloads.js';
import type { NodeInfo } from '../../shared/rest.js';
import { topics } from '../../shared/topics.js';
import { Actor } from '../core/actor.js';
import { actorIdFor } from '../core/actor-id.js';
import { createTestSystem, type TestSystem } from '../core/testing/test-system.js';
import { GraphService } from './graph-service.js';

class Sensor extends Actor {
  constructor(name: string) {
    super({ name, kind: 'dynamic', publishes: ['sensors/temp'] });
  }
  emit(n: number): void {
    for (let i = 0; i < n; i++) this.publish('sensors/temp', { c: 20 + i });
  }
}

class Alerter extends Actor {
  got = 0;
  constructor(name: string) {
    super({ name, kind: 'dynamic' });
  }
  protected override onStart(): void {
    this.subscribe('sensors/+', () => this.got++);
  }
}

const node = (name: string, online: boolean, agents: string[], states: Record<string, string> = {}): NodeInfo => ({
  name,
  online,
  last_seen: null,
  agents,
  agent_states: states,
  load: null,
  memory_mb: null,
  cpus: null,
  hostname: null,
  placed: [],
  pending_commands: 0,
  alert: null,
});

describe('GraphService', () => {
  let t: TestSystem;
  let ms = 1_700_000_000_000;
  let nodes: NodeInfo[] = [];
  let graph: GraphService;

  beforeEach(async () => {
    t = await createTestSystem();
    nodes = [];
    graph = new GraphService({ system: t.system, nodes: { listNodes: () => nodes }, now: () => ms, snapshotMs: 5_000 });
    await graph.start();
  });

  afterEach(async () => {
    graph.stop();
    await t.close();
  });

  const edge = (g: Graph, from: string, to: string) => g.edges.find((e) => e.from === from && e.to === to);

  it('wires a publisher to a subscriber, declared at once and with a rate once messages flow; a paused agent shows paused', async () => {
    const sensor = await t.system.spawn(new Sensor('sensor'));
    const alerter = await t.system.spawn(new Alerter('alerter'));
    graph.tick();
    expect(edge(graph.graph(), sensor.actorId, alerter.actorId)).toEqual({ from: sensor.actorId, to: alerter.actorId, topic: 'sensors/temp', rate: 0 });

    sensor.emit(5);
    expect(alerter.got).toBe(5);
    ms += 1_000;
    graph.tick();
    expect(edge(graph.graph(), sensor.actorId, alerter.actorId)?.rate).toBe(0.5);

    await t.system.command('alerter', 'pause');
    ms += 1_000;
    graph.tick();
    expect(graph.graph().agents.find((a) => a.name === 'alerter')).toMatchObject({ state: 'paused', node: null, kind: 'dynamic' });

    // Unsubscribing (the actor stops) removes the wire.
    await t.system.stop('alerter');
    ms += 1_000;
    graph.tick();
    expect(edge(graph.graph(), sensor.actorId, alerter.actorId)).toBeUndefined();
    expect(t.system.traffic.patternsOf('alerter')).toEqual([]);
  });

  it('shows messages from an MQTT client it cannot name as coming from "external"', async () => {
    const alerter = await t.system.spawn(new Alerter('alerter'));
    t.bus.publish('sensors/door', { open: true }); // not through an actor: nobody tapped it
    ms += 1_000;
    graph.tick();
    expect(edge(graph.graph(), 'external', alerter.actorId)).toMatchObject({ topic: 'sensors/door', rate: 0.1 });
    expect(graph.graph().agents.find((a) => a.id === 'external')?.kind).toBe('external');
    expect(graph.recent('sensors/door').messages).toEqual([{ timestamp: ms / 1000 - 1, from: null, bytes: 13, payload: { open: true }, truncated: false }]);
  });

  it('puts agents on their node (from the fleet, their heartbeats and what the node reports), silent when the node is offline', async () => {
    const alerter = await t.system.spawn(new Alerter('alerter'));
    const id = actorIdFor('garden-sensor');
    nodes = [node('garage', true, ['garden-sensor'], { 'garden-sensor': 'running' })];
    t.bus.publish(topics.agent(id, 'heartbeat'), { actor_id: id, name: 'garden-sensor', timestamp: ms / 1000, state: 'running', cpu: 0, memory_mb: 1, task: 'idle', protected: false, kind: 'dynamic', node: 'garage', code_version: 2 });
    t.bus.publish(topics.agent(id, 'manifest'), { name: 'garden-sensor', actor_id: id, description: '', publishes: ['garden/moisture'], capabilities: [], input_schema: {}, output_schema: {}, timestamp: ms / 1000 }, { retain: true });
    t.bus.publish(topics.node('garage', 'heartbeat'), { node: 'garage', timestamp: ms / 1000, agents: ['garden-sensor'], load: [0, 0, 0], memory_mb: 10, subscriptions: { 'garden-sensor': ['garden/commands'] } });
    t.bus.publish('garden/moisture', { v: 1 }); // from the node: attributed to its one declarer
    const driver = await t.system.spawn(new (class extends Actor {
      protected override onStart(): void {
        this.publish('garden/commands', { water: true });
      }
    })({ name: 'driver' }));
    await t.system.command('alerter', 'resume').catch(() => undefined);
    alerter.subscribe('garden/#', () => undefined);
    ms += 1_000;
    graph.tick();
    const g = graph.graph();
    expect(g.nodes).toEqual([{ name: 'garage', online: true }]);
    expect(g.agents.find((a) => a.id === id)).toEqual({ id, name: 'garden-sensor', kind: 'dynamic', node: 'garage', state: 'running' });
    expect(edge(g, id, alerter.actorId)).toMatchObject({ topic: 'garden/moisture', rate: 0.1 });
    expect(edge(g, driver.actorId, id)).toMatchObject({ topic: 'garden/commands' });

    nodes = [node('garage', false, ['garden-sensor'], { 'garden-sensor': 'running' })];
    ms += 1_000;
    graph.tick();
    expect(graph.graph().agents.find((a) => a.id === id)?.state).toBe('silent');
  });

  it('an agent only heard on the bus turns silent when its heartbeats stop, and is forgotten later', async () => {
    const id = 'sim-1';
    t.bus.publish(topics.agent(id, 'heartbeat'), { actor_id: id, name: 'sim', timestamp: ms / 1000, state: 'running', cpu: 0, memory_mb: 1, task: 'idle', protected: false, kind: 'catalog' });
    graph.tick();
    expect(graph.graph().agents.find((a) => a.id === id)).toMatchObject({ name: 'sim', kind: 'catalog', state: 'running', node: null });
    ms += 61_000;
    graph.tick();
    expect(graph.graph().agents.find((a) => a.id === id)?.state).toBe('silent');
    ms += 600_000;
    graph.tick();
    expect(graph.graph().agents.find((a) => a.id === id)).toBeUndefined();
  });

  it('publishes a retained snapshot and deltas a client rebuilds the same graph from', async () => {
    const published = () => t.bus.published.filter((p) => p.topic === topics.systemGraph || p.topic === topics.systemGraphDelta);
    const sensor = await t.system.spawn(new Sensor('sensor'));
    await t.system.spawn(new Alerter('alerter'));
    ms += 1_000;
    graph.tick();
    sensor.emit(3);
    for (let i = 0; i < 3; i++) {
      ms += 1_000;
      graph.tick();
    }
    const snaps = published().filter((p) => p.topic === topics.systemGraph);
    expect(snaps.every((s) => s.retain)).toBe(true);
    const first = parsePayload(graphSnapshotMessageSchema, snaps[0]!.payload);
    if (!first.ok) throw new Error(first.error);
    // A client that got the first snapshot applies every later delta in order.
    let g = first.value.graph;
    let seq = first.value.seq;
    for (const p of published().filter((x) => x.topic === topics.systemGraphDelta)) {
      const d = parsePayload(graphDeltaMessageSchema, p.payload);
      if (!d.ok) throw new Error(d.error);
      if (d.value.seq <= seq) continue;
      expect(d.value.seq).toBe(seq + 1);
      g = applyGraphDelta(g, d.value);
      seq = d.value.seq;
    }
    const now = graph.graph();
    const norm = (x: Graph) => JSON.stringify([[...x.agents].sort((a, b) => a.id.localeCompare(b.id)), [...x.edges].sort((a, b) => (a.from + a.to + a.topic).localeCompare(b.from + b.to + b.topic)), x.nodes]);
    expect(norm(g)).toBe(norm(now));
    // Snapshots are not sent every tick: at most one per snapshotMs.
    expect(snaps.length).toBeLessThanOrEqual(2);
    // Quiet: no new delta when nothing changed.
    const before = published().length;
    ms += 1;
    graph.tick();
    expect(published().length).toBe(before);
  });
});
