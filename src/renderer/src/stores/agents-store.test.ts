import { beforeEach, describe, expect, it } from 'vitest';
import type { AgentSummary } from '../../../shared/rest.js';
import { emptyUpdate, routeMessages } from '../connection/topic-router.js';
import { findAgent, HEARTBEAT_HISTORY, healthTag, isStale, reduceAgents, useAgentsStore } from './agents-store.js';

const enc = (x: unknown) => JSON.stringify(x);
const summary = (name: string, extra: Partial<AgentSummary> = {}): AgentSummary => ({
  id: `id-${name}`,
  name,
  state: 'running',
  protected: false,
  kind: 'core',
  last_heartbeat: 1000,
  inbox_size: 0,
  restart_count: 0,
  messages_processed: 0,
  ...extra,
});
const heartbeat = (id: string, name: string, t: number, extra: object = {}) => ({
  topic: `agents/${id}/heartbeat`,
  payload: enc({ actor_id: id, name, timestamp: t, state: 'running', cpu: 2, memory_mb: 30, task: null, protected: false, ...extra }),
});

describe('agents store', () => {
  beforeEach(() => useAgentsStore.getState().reset());

  it('starts from the REST list and keeps it live from MQTT', () => {
    const st = useAgentsStore.getState();
    st.loadSummaries([summary('main', { protected: true }), summary('weather', { kind: 'dynamic', cost_usd: 0.5 })], 1_000_000);
    st.applyUpdate(
      routeMessages([
        heartbeat('id-weather', 'weather', 1010, { inbox_size: 4, state: 'paused' }),
        { topic: 'agents/id-weather/metrics', payload: enc({ actor_id: 'id-weather', messages_processed: 9, errors: 1, uptime: 50, tasks_completed: 8, tasks_failed: 1, restart_count: 2, cost_usd: 0.75 }) },
      ]),
    );
    const w = findAgent(useAgentsStore.getState().byId, 'weather')!;
    expect(w).toMatchObject({ kind: 'dynamic', state: 'paused', lastHeartbeat: 1010, inboxSize: 4, restarts: 2, messagesProcessed: 9, costUsd: 0.75 });
    expect(w.heartbeats).toEqual([{ t: 1010, state: 'paused', cpu: 2, memoryMb: 30 }]);
    expect(findAgent(useAgentsStore.getState().byId, 'main')!.protected).toBe(true);
  });

  it('adds actors first seen on MQTT (remote nodes) and keeps recent ones across a REST reload', () => {
    const st = useAgentsStore.getState();
    st.applyUpdate(routeMessages([heartbeat('r1', 'remote-cam', 5000, { node: 'pi' })]));
    expect(useAgentsStore.getState().byId.r1).toMatchObject({ name: 'remote-cam', node: 'pi', kind: 'unknown' });
    st.loadSummaries([summary('main')], 5_010_000);
    expect(useAgentsStore.getState().byId.r1).toBeDefined();
    st.loadSummaries([summary('main')], 5_500_000); // silent for 500 s: gone
    expect(useAgentsStore.getState().byId.r1).toBeUndefined();
  });

  it('only creates new objects for actors a batch touches', () => {
    const st = useAgentsStore.getState();
    st.loadSummaries([summary('a'), summary('b')]);
    const before = useAgentsStore.getState().byId;
    st.applyUpdate(routeMessages([heartbeat('id-a', 'a', 2000)]));
    const after = useAgentsStore.getState().byId;
    expect(after).not.toBe(before);
    expect(after['id-a']).not.toBe(before['id-a']);
    expect(after['id-b']).toBe(before['id-b']);
    // A batch with nothing for agents leaves the map as it was.
    expect(reduceAgents(after, emptyUpdate())).toBe(after);
  });

  it('caps the heartbeat history', () => {
    const batch = Array.from({ length: HEARTBEAT_HISTORY + 30 }, (_, i) => heartbeat('x', 'x', 100 + i * 10));
    useAgentsStore.getState().applyUpdate(routeMessages(batch));
    const hist = useAgentsStore.getState().byId.x!.heartbeats;
    expect(hist).toHaveLength(HEARTBEAT_HISTORY);
    expect(hist.at(-1)!.t).toBe(100 + (HEARTBEAT_HISTORY + 29) * 10);
  });

  it('applies status changes and manifests', () => {
    useAgentsStore.getState().applyUpdate(
      routeMessages([
        { topic: 'agents/q/status', payload: enc({ actor_id: 'q', name: 'q', state: 'failed', protected: false, uptime: 3, messages_processed: 1, restart_count: 5, supervised: true, kind: 'catalog' }) },
        { topic: 'agents/q/manifest', payload: enc({ name: 'q', actor_id: 'q', description: 'does q', publishes: ['q/out'], capabilities: [], input_schema: { type: 'object' }, output_schema: null, timestamp: 1 }) },
      ]),
    );
    const q = useAgentsStore.getState().byId.q!;
    expect(q).toMatchObject({ state: 'failed', restarts: 5, supervised: true, kind: 'catalog', description: 'does q' });
    expect(q.manifest?.publishes).toEqual(['q/out']);
  });

  it('removes by id or name', () => {
    useAgentsStore.getState().loadSummaries([summary('a'), summary('b')]);
    useAgentsStore.getState().remove('a');
    useAgentsStore.getState().remove('id-b');
    expect(useAgentsStore.getState().byId).toEqual({});
  });
});

describe('health tags', () => {
  const base = { id: 'x', name: 'x', kind: 'core' as const, protected: false, inboxSize: 0, restarts: 0, messagesProcessed: 0, costUsd: null, heartbeats: [] };
  it('marks running actors silent for more than 60 s as stale', () => {
    const a = { ...base, state: 'running' as const, lastHeartbeat: 1000 };
    expect(isStale(a, 1_059_000)).toBe(false);
    expect(isStale(a, 1_061_000)).toBe(true);
    expect(healthTag(a, 1_061_000)).toBe('stale');
  });
  it('puts failure before staleness, and stopped actors are never stale', () => {
    expect(healthTag({ ...base, state: 'failed', lastHeartbeat: 0 }, 1e9)).toBe('failed');
    expect(healthTag({ ...base, state: 'stopped', lastHeartbeat: 0 }, 1e9)).toBe('stopped');
    expect(healthTag({ ...base, state: 'running', lastHeartbeat: null }, 1e9)).toBe('ok');
  });
});
