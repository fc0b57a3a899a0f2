import { describe, expect, it } from 'vitest';
import { monitorStateSchema, type MonitorEvent } from '../../../../shared/original-ws.js';
import type { AgentSummary } from '../../../../shared/rest.js';
import { MonitorView } from './monitor-view.js';
import { MemoryBus } from '../../../core/testing/memory-bus.js';

function summary(name: string, extra: Partial<AgentSummary> = {}): AgentSummary {
  return { id: `id-${name}`, name, state: 'running', protected: false, kind: 'dynamic', last_heartbeat: null, inbox_size: 0, restart_count: 0, messages_processed: 2, cpu: 1.5, mem: 3, task: 'idle', ...extra };
}

function setup(agents: AgentSummary[] = [summary('main', { kind: 'core', protected: true }), summary('worker')]) {
  const bus = new MemoryBus();
  let now = 1_000;
  const live = [...agents];
  const view = new MonitorView(bus, { agents: () => live, totalCostUsd: () => 0.1234567 }, { now: () => now });
  const events: (MonitorEvent | null)[] = [];
  view.onChange((e) => events.push(e));
  view.start();
  return { bus, view, events, live, tick: (s: number) => (now += s) };
}

describe('MonitorView', () => {
  it('lists the registry’s agents with the payloads MQTT brought, in the shape of the original’s state', () => {
    const { bus, view, events } = setup();
    bus.publish('agents/id-worker/heartbeat', { actor_id: 'id-worker', name: 'worker', state: 'running', cpu: 1.5, memory_mb: 3, task: 'idle' });
    bus.publish('agents/id-worker/metrics', { actor_id: 'id-worker', messages_processed: 2, input_tokens: 10, output_tokens: 20, cost_usd: 0.5 });
    const state = monitorStateSchema.parse(view.snapshot());
    expect(state.agents.find((a) => a.name === 'main')).toMatchObject({ agent_id: 'id-main', protected: true, agent_type: 'orchestrator' });
    expect(state.agents.find((a) => a.name === 'worker')).toMatchObject({
      agent_id: 'id-worker',
      cpu: 1.5,
      mem: 3,
      task: 'idle',
      messages_processed: 2,
      cost_usd: 0.5,
      input_tokens: 10,
      output_tokens: 20,
      agent_type: 'dynamic',
      heartbeat: expect.objectContaining({ name: 'worker' }),
      metrics: expect.objectContaining({ cost_usd: 0.5 }),
    });
    expect(state.total_cost_usd).toBe(0.123457);
    expect(state.total_messages).toBe(4);
    // A heartbeat is a change without an event (the original sent `event: null` for them).
    expect(events).toEqual([null, { type: 'agent', agent_id: 'id-worker', metric: 'metrics', data: expect.any(Object) }]);
  });

  it('keeps the activity feed as the original did (newest first, 20 sent of 100 kept), alerts (10 of 50), nodes and health', () => {
    const { bus, view } = setup();
    bus.publish('agents/id-main/spawned', { child_id: 'id-worker', child_name: 'worker', timestamp: 999 });
    // Not the hub's word: an agent on its own topic, an unknown publisher, a payload of another shape.
    bus.publish('agents/id-worker/spawned', { child_id: 'id-main', child_name: 'fake', timestamp: 999 });
    bus.publish('agents/id-ghost/spawned', { child_id: 'id-x', child_name: 'fake', timestamp: 999 });
    bus.publish('agents/id-main/spawned', { child_name: 'fake' });
    bus.publish('agents/id-worker/logs', { type: 'warning', message: 'careful', timestamp: 999 });
    bus.publish('agents/id-worker/alert', { actor_id: 'id-worker', name: 'worker', message: 'worker is slow', severity: 'warning', timestamp: 999 });
    bus.publish('agents/id-worker/status', { actor_id: 'id-worker', name: 'worker', state: 'paused' });
    bus.publish('system/health', { total_actors: 2 });
    bus.publish('nodes/pi/heartbeat', { agents: ['sensor'], node_id: 'n1' });
    const state = view.snapshot();
    expect(state.log_feed.map((e) => e.type)).toEqual(['status', 'alert', 'log', 'spawned']);
    expect(state.log_feed[3]).toMatchObject({ agent_id: 'id-main', child_id: 'id-worker', child_name: 'worker', timestamp: 1_000 });
    expect(state.log_feed[2]).toMatchObject({ type: 'log', level: 'warning', message: 'careful' });
    expect(state.log_feed[1]).toMatchObject({ name: 'worker', message: 'worker is slow', severity: 'warning' });
    expect(state.alerts).toEqual([expect.objectContaining({ agent_id: 'id-worker', message: 'worker is slow' })]);
    expect(state.system_health).toEqual({ total_actors: 2 });
    expect(state.nodes).toEqual([{ node: 'pi', agents: ['sensor'], last_seen: 1_000, online: true, node_id: 'n1' }]);
    for (let i = 0; i < 150; i++) bus.publish('agents/id-worker/completed', {});
    for (let i = 0; i < 60; i++) bus.publish('system/alerts', { message: `a${i}` });
    const full = view.snapshot();
    expect(full.log_feed).toHaveLength(20);
    expect(full.alerts).toHaveLength(10);
    expect(full.alerts[0]).toMatchObject({ message: 'a59' });
  });

  it('shows an agent known only from MQTT while its node’s heartbeats are fresh, and forgets noise', () => {
    const { bus, view, tick } = setup();
    bus.publish('agents/id-remote/heartbeat', { actor_id: 'id-remote', name: 'sensor', state: 'running', node: 'pi', cpu: 2, memory_mb: 1, task: 'reading' });
    bus.publish('agents/id-ghost/heartbeat', { actor_id: 'id-ghost', name: 'ghost', state: 'running' });
    expect(view.snapshot().agents.map((a) => a.name).sort()).toEqual(['main', 'sensor', 'worker']);
    expect(view.snapshot().agents.find((a) => a.name === 'sensor')).toMatchObject({ node: 'pi', cpu: 2, task: 'reading' });
    tick(60);
    expect(view.snapshot().agents.map((a) => a.name).sort()).toEqual(['main', 'worker']);
    expect(view.snapshot().nodes).toEqual([]);
  });

  it('stays bounded when a client floods agents/<anything>/heartbeat, and ignores topics it does not keep', () => {
    const { bus, view, events } = setup();
    for (let i = 0; i < 12_000; i++) bus.publish(`agents/flood-${i}/heartbeat`, { name: `f${i}`, state: 'running', node: 'x' });
    bus.publish('agents/id-worker/chat', { from: 'worker', content: 'hi' });
    bus.publish('agents/by-name/worker/task', { text: 'x' });
    bus.publish('agents/id-worker/data/k', 'not even JSON');
    expect(view.snapshot().agents.length).toBeLessThanOrEqual(5_000 + 2);
    expect(events.filter((e) => e !== null)).toEqual([]);
  });

  it('a malformed payload is kept as text, never thrown', () => {
    const { bus, view } = setup();
    bus.publish('agents/id-worker/status', 'not json');
    bus.publish('agents/id-worker/alert', '[1,2]');
    bus.publish('nodes/pi/heartbeat', 'nope');
    const state = view.snapshot();
    expect(state.agents.find((a) => a.name === 'worker')?.status).toBe('not json');
    expect(state.log_feed.map((e) => e.type)).toEqual(['alert', 'status']);
    expect(state.nodes).toEqual([]);
  });
});
