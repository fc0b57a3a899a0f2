import { describe, expect, it } from 'vitest';
import { logLevelOf, routeMessages, type RawMessage } from './topic-router.js';

const enc = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));
const hb = (id: string, name: string, extra: object = {}) => ({
  topic: `agents/${id}/heartbeat`,
  payload: enc({ actor_id: id, name, timestamp: 100, state: 'running', cpu: 1, memory_mb: 20, task: null, protected: false, ...extra }),
});

describe('routeMessages', () => {
  it('sorts a mixed batch by concern', () => {
    const batch: RawMessage[] = [
      hb('a1', 'alpha'),
      { topic: 'agents/a1/metrics', payload: enc({ actor_id: 'a1', messages_processed: 3, errors: 0, uptime: 5, tasks_completed: 2, tasks_failed: 1, restart_count: 0 }) },
      { topic: 'agents/a1/logs', payload: enc({ type: 'warn', message: 'careful', timestamp: 101 }) },
      { topic: 'agents/a1/alert', payload: enc({ actor_id: 'a1', name: 'alpha', message: 'silent', severity: 'warning', timestamp: 102 }) },
      { topic: 'agents/a1/manifest', payload: enc({ name: 'alpha', actor_id: 'a1', description: 'd', publishes: [], capabilities: [], input_schema: null, output_schema: null, timestamp: 1 }) },
      { topic: 'io/chat/response', payload: JSON.stringify({ from: 'main', content: 'hi', done: false, message_id: 'm1', timestamp: 1 }) },
      { topic: 'io/chat', payload: enc({ from: 'cli', content: 'hello', message_id: 'x' }) },
      { topic: 'agents/m/chat', payload: enc({ from: 'main', content: 'yo', timestamp: 1 }) },
      { topic: 'system/health', payload: enc({ timestamp: 1, total_actors: 1, running: 1, stopped: 0, failed: 0, degraded: 0, actors: [] }) },
      { topic: 'installer/progress', payload: enc({ recipe: 'rss', package: 'rss-parser', status: 'installing', percent: 40 }) },
    ];
    const u = routeMessages(batch, 500);
    expect(u.heartbeats).toHaveLength(1);
    expect(u.heartbeats[0]!.actorId).toBe('a1');
    expect(u.metrics).toHaveLength(1);
    expect(u.logs).toEqual([{ actorId: 'a1', level: 'warning', type: 'warn', message: 'careful', timestamp: 101 }]);
    expect(u.alerts[0]).toMatchObject({ topicActorId: 'a1', severity: 'warning' });
    expect(u.manifests).toHaveLength(1);
    expect(u.chatResponses).toHaveLength(1);
    expect(u.chatRequests).toHaveLength(1);
    expect(u.agentChats[0]!.actorId).toBe('m');
    expect(u.health?.total_actors).toBe(1);
    expect(u.installs[0]).toMatchObject({ recipe: 'rss', packages: ['rss-parser'], status: 'running', progress: 0.4, timestamp: 500 });
    expect(u.rejected).toEqual([]);
  });

  it('ignores malformed payloads and counts them', () => {
    const u = routeMessages([
      { topic: 'agents/a1/heartbeat', payload: 'not json' },
      { topic: 'agents/a1/heartbeat', payload: enc({ name: 'x' }) },
      { topic: 'agents/a1/logs', payload: enc({ type: 'info', message: 5, timestamp: 1 }) },
      { topic: 'io/chat/response', payload: enc({ content: 'no done flag' }) },
      hb('a2', 'ok'),
    ]);
    expect(u.heartbeats.map((h) => h.value.name)).toEqual(['ok']);
    expect(u.logs).toEqual([]);
    expect(u.chatResponses).toEqual([]);
    expect(u.rejected).toHaveLength(4);
    expect(u.rejected[0]!.error).toMatch(/not JSON/);
  });

  it('ignores topics it does not know, command echoes and cleared manifests', () => {
    const u = routeMessages([
      { topic: 'weather/today', payload: enc({}) },
      { topic: 'agents/by-name/x/task', payload: enc({}) },
      { topic: 'agents/a1/commands', payload: enc({ command: 'stop' }) },
      { topic: 'agents/a1/manifest', payload: new Uint8Array() },
    ]);
    expect(u.rejected).toEqual([]);
    expect(u.manifests).toEqual([]);
  });
});

describe('logLevelOf', () => {
  it('maps publisher types onto four levels', () => {
    expect(['debug', 'info', 'warning', 'warn', 'error', 'critical', 'task', 'DEBUG'].map(logLevelOf)).toEqual(['debug', 'info', 'warning', 'warning', 'error', 'error', 'info', 'debug']);
  });

  it('routes Home Assistant state changes (flat and per entity) and node heartbeats', () => {
    const change = { entity_id: 'light.kitchen', domain: 'light', new_state: { state: 'on' }, old_state: { state: 'off' } };
    const u = routeMessages(
      [
        { topic: 'homeassistant/state_changes', payload: enc(change) },
        { topic: 'homeassistant/state_changes/light/light.kitchen', payload: enc({ ...change, new_state: { state: 'off' } }) },
        { topic: 'homeassistant/state_changes', payload: enc({ entity_id: 'x' }) },
        { topic: 'nodes/pi/heartbeat', payload: enc({ node: 'pi', timestamp: 5, agents: ['a'], load: [0.1, 0.2, 0.3], memory_mb: 50 }) },
        { topic: 'nodes/pi/agents', payload: enc({}) },
      ],
      100,
    );
    expect(u.haStateChanges.map((c) => (c.new_state as { state: string }).state)).toEqual(['on', 'off']);
    expect(u.nodeHeartbeats).toEqual([{ node: 'pi', timestamp: 5, agents: ['a'], load: [0.1, 0.2, 0.3], memory_mb: 50, received_at: 100_000 }]);
    expect(u.rejected.map((r) => r.topic)).toEqual(['homeassistant/state_changes']);
  });

  it('reads node heartbeats with the same schema as the hub (src/shared/node-protocol.ts): what the hub refuses, the dashboard refuses', () => {
    const u = routeMessages(
      [
        { topic: 'nodes/pi/heartbeat', payload: enc({ node: 'pi', timestamp: 5, agents: [], load: [] }) },
        { topic: 'nodes/pi/heartbeat', payload: enc({ node: 'bad name!', timestamp: 5, agents: [], load: [], memory_mb: 1 }) },
      ],
      100,
    );
    expect(u.nodeHeartbeats).toEqual([]);
    expect(u.rejected.map((r) => r.topic)).toEqual(['nodes/pi/heartbeat', 'nodes/pi/heartbeat']);
  });
});
