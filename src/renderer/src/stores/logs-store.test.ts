import { beforeEach, describe, expect, it } from 'vitest';
import type { LogItem } from '../connection/topic-router.js';
import { emptyUpdate } from '../connection/topic-router.js';
import { reduceLogs, useLogsStore } from './logs-store.js';

const line = (actorId: string, i: number): LogItem => ({ actorId, level: 'info', type: 'info', message: `m${i}`, timestamp: i });

describe('logs store', () => {
  beforeEach(() => useLogsStore.getState().clear());

  it('keeps a capped buffer per actor and a capped global one', () => {
    let st = { all: [], byAgent: {}, received: 0 } as Parameters<typeof reduceLogs>[0];
    const batch: LogItem[] = [];
    for (let i = 0; i < 300; i++) batch.push(line(i % 2 ? 'a' : 'b', i));
    st = reduceLogs(st, batch, 100, 250);
    expect(st.all).toHaveLength(250);
    expect(st.all[0]!.message).toBe('m50');
    expect(st.byAgent.a).toHaveLength(100);
    expect(st.byAgent.a!.at(-1)!.message).toBe('m299');
    expect(st.byAgent.b!.at(-1)!.message).toBe('m298');
    expect(st.received).toBe(300);
    // Sequence numbers are unique and increasing (React keys).
    const seqs = st.all.map((l) => l.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
  });

  it('stays bounded under a sustained 1,000 lines per second', () => {
    const store = useLogsStore.getState();
    for (let frame = 0; frame < 600; frame++) {
      // 10 s at 60 frames/s, ~17 lines a frame from 50 agents
      const u = emptyUpdate();
      for (let k = 0; k < 17; k++) u.logs.push(line(`agent-${(frame * 17 + k) % 50}`, frame * 17 + k));
      store.applyUpdate(u);
    }
    const st = useLogsStore.getState();
    expect(st.received).toBe(600 * 17);
    expect(st.all.length).toBe(10_000);
    expect(Object.values(st.byAgent).every((l) => l.length <= 2_000)).toBe(true);
  });

  it('clears one actor or everything', () => {
    const u = emptyUpdate();
    u.logs.push(line('a', 1), line('b', 2));
    useLogsStore.getState().applyUpdate(u);
    useLogsStore.getState().clear('a');
    expect(useLogsStore.getState().byAgent.a).toBeUndefined();
    expect(useLogsStore.getState().all.map((l) => l.actorId)).toEqual(['b']);
    useLogsStore.getState().clear();
    expect(useLogsStore.getState().all).toEqual([]);
  });
});
