import { describe, expect, it } from 'vitest';
import { isPlumbingTopic, RateRing, TrafficCounter } from './traffic-counter.js';

describe('RateRing', () => {
  it('sums the last 10 seconds, forgetting older buckets as the clock moves', () => {
    const r = new RateRing();
    for (let s = 100; s < 110; s++) r.add(s); // one a second for 10 s
    expect(r.sum(109)).toBe(10);
    expect(r.sum(110)).toBe(9);
    expect(r.sum(119)).toBe(0);
    r.add(125);
    r.add(125);
    expect(r.sum(125)).toBe(2);
    expect(r.sum(134)).toBe(2);
    expect(r.sum(135)).toBe(0);
  });
});

describe('isPlumbingTopic', () => {
  it('knows the hub’s own traffic from agents talking', () => {
    for (const t of ['agents/abc/heartbeat', 'agents/abc/logs', 'agents/abc/commands', 'nodes/garage/heartbeat', 'system/graph', 'system/health', '$SYS/x', 'wactorz/replies/a/b', 'agents/by-name/x/task']) expect(isPlumbingTopic(t), t).toBe(true);
    for (const t of ['sensors/temp', 'agents/abc/data/temp', 'agents/abc/result', 'io/chat', 'homeassistant/state_changes', 'wactorz/other']) expect(isPlumbingTopic(t), t).toBe(false);
  });
});

describe('TrafficCounter', () => {
  const clock = (start = 1_000_000) => {
    let ms = start;
    return { now: () => ms, advance: (d: number) => (ms += d) };
  };

  it('attributes a delivered message to the actor whose publish was tapped first, others to nobody', () => {
    const c = clock();
    const t = new TrafficCounter({ now: c.now });
    t.tapped('a1', 'sensors/temp');
    t.tapped('a2', 'sensors/temp');
    t.observed('sensors/temp', Buffer.from('1'));
    t.observed('sensors/temp', Buffer.from('2'));
    t.observed('sensors/temp', Buffer.from('3')); // nobody announced this one
    const rates = t.rates().sort((x, y) => String(x.publisher).localeCompare(String(y.publisher)));
    expect(rates).toEqual([
      { topic: 'sensors/temp', publisher: 'a1', rate: 0.1 },
      { topic: 'sensors/temp', publisher: 'a2', rate: 0.1 },
      { topic: 'sensors/temp', publisher: null, rate: 0.1 },
    ]);
  });

  it('rates are messages per second over the last 10 s, and go to zero when traffic stops', () => {
    const c = clock();
    const t = new TrafficCounter({ now: c.now });
    for (let s = 0; s < 10; s++) {
      for (let k = 0; k < 5; k++) {
        t.tapped('p', 'x/y');
        t.observed('x/y', Buffer.from('{}'));
      }
      c.advance(1_000);
      t.tick();
    }
    expect(t.rates()).toEqual([{ topic: 'x/y', publisher: 'p', rate: 4.5 }]); // the current second is empty
    c.advance(10_000);
    t.tick();
    expect(t.rates()).toEqual([]);
  });

  it('forgets a tapped publish that never arrived, so it does not claim a later stranger', () => {
    const c = clock();
    const t = new TrafficCounter({ now: c.now, pendingSeconds: 5 });
    t.tapped('ghost', 'a/b');
    c.advance(6_000);
    t.tick();
    t.observed('a/b', Buffer.from('x'));
    expect(t.rates()).toEqual([{ topic: 'a/b', publisher: null, rate: 0.1 }]);
  });

  it('does not count plumbing, and stops tracking new topics at the cap until idle ones are pruned', () => {
    const c = clock();
    const t = new TrafficCounter({ now: c.now, maxTopics: 10 });
    t.observed('agents/x/heartbeat', Buffer.from('{}'));
    expect(t.trackedTopics).toBe(0);
    for (let i = 0; i < 12; i++) t.observed(`t/${i}`, Buffer.from('1'));
    expect(t.trackedTopics).toBe(10);
    expect(t.untracked).toBe(2);
    c.advance(11_000);
    t.tick(); // all idle for a whole window: pruned
    expect(t.trackedTopics).toBe(0);
    t.observed('t/new', Buffer.from('1'));
    expect(t.trackedTopics).toBe(1);
  });

  it('keeps a few recent messages per topic as copied previews, newest first', () => {
    const t = new TrafficCounter({ recentPerTopic: 3, previewBytes: 4 });
    const big = Buffer.from('0123456789');
    t.tapped('p', 'a/b');
    t.observed('a/b', big);
    big.fill('z'); // the bus's buffer is reused later: the preview is a copy
    expect(t.recent('a/b')[0]).toMatchObject({ from: 'p', bytes: 10 });
    expect(t.recent('a/b')[0]!.preview.toString()).toBe('0123');
    for (const p of ['1', '2', '3']) t.observed('a/b', Buffer.from(p));
    expect(t.recent('a/b').map((m) => m.preview.toString())).toEqual(['3', '2', '1']);
    expect(t.recent('nothing')).toEqual([]);
  });
});
