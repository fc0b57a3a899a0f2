import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { alertSchema, heartbeatSchema } from '../../shared/mqtt-payloads.js';
import { Actor } from './actor.js';
import { createTestSystem, type TestSystem } from './testing/test-system.js';
import { waitUntil } from '../testing/wait.js';

/** Counts the instances its factory made; `crash` makes the current one fail. */
class Worker extends Actor {
  static made: Record<string, number> = {};
  constructor(name: string) {
    super({ name });
    Worker.made[name] = (Worker.made[name] ?? 0) + 1;
  }
  protected override handleTask(p: unknown): unknown {
    if (p === 'crash') this.crash(new Error(`${this.name} broke`));
    return this.name;
  }
}
const factory = (name: string) => () => new Worker(name);
const fast = { restartDelayMs: 5, backoffFactor: 2, maxDelayMs: 50 };

let t: TestSystem;
beforeEach(async () => {
  Worker.made = {};
  // Restart delays and back-off run on virtual time (the scheduler's setImmediate stays real).
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  t = await createTestSystem();
});
afterEach(async () => {
  await t.close();
  vi.useRealTimers();
});

const running = (name: string) => t.system.get(name)?.state === 'running';

describe('Supervisor', () => {
  it('ONE_FOR_ONE restarts only the crashed actor, from a fresh factory call', async () => {
    t.system.supervise('a', factory('a'), fast).supervise('b', factory('b'), fast);
    await t.system.startSupervised();
    const first = t.system.get('a');
    await t.system.ask('a', 'crash').catch(() => {});
    await waitUntil(() => t.system.get('a') !== first && running('a'), 'a restarted', 2000);
    expect(Worker.made).toEqual({ a: 2, b: 1 });
    expect(t.system.get('a')!.restartCount).toBe(1);
    expect(await t.system.ask('a', 'hi')).toBe('a');
  });

  it('ONE_FOR_ALL restarts every supervised actor', async () => {
    const opts = { ...fast, strategy: 'ONE_FOR_ALL' as const };
    t.system.supervise('a', factory('a'), opts).supervise('b', factory('b'), opts).supervise('c', factory('c'), opts);
    await t.system.startSupervised();
    await t.system.ask('b', 'crash').catch(() => {});
    await waitUntil(() => Worker.made.a === 2 && Worker.made.b === 2 && Worker.made.c === 2 && running('a') && running('b') && running('c'), 'all three restarted', 2000);
  });

  it('REST_FOR_ONE restarts the crashed actor and those started after it', async () => {
    const opts = { ...fast, strategy: 'REST_FOR_ONE' as const };
    t.system.supervise('a', factory('a'), opts).supervise('b', factory('b'), opts).supervise('c', factory('c'), opts);
    await t.system.startSupervised();
    await t.system.ask('b', 'crash').catch(() => {});
    await waitUntil(() => Worker.made.b === 2 && Worker.made.c === 2 && running('b') && running('c'), 'b and c restarted', 2000);
    // A group restarts in start order, so had a been in it, it would have come back before b;
    // and past the longest back-off no other restart is pending.
    await vi.advanceTimersByTimeAsync(fast.maxDelayMs);
    expect(Worker.made.a).toBe(1);
  });

  it('backs off exponentially between restarts', async () => {
    const starts: number[] = [];
    class Crasher extends Actor {
      protected override onStart(): void {
        starts.push(Date.now());
        throw new Error('cannot start');
      }
    }
    await t.system.spawnSupervised('x', () => new Crasher({ name: 'x' }), { restartDelayMs: 20, backoffFactor: 2, maxRestarts: 4, maxDelayMs: 1000 });
    await vi.advanceTimersByTimeAsync(20 + 40 + 80 + 160);
    await waitUntil(() => starts.length === 5, 'five starts', 3000);
    const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
    // 20, 40, 80, 160 ms of virtual time (timers may fire late, never early).
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[1]).toBeGreaterThanOrEqual(39);
    expect(gaps[2]).toBeGreaterThanOrEqual(79);
    expect(gaps[3]).toBeGreaterThanOrEqual(159);
  });

  it('gives up past maxRestarts in the window: failed, alerted, never restarted again', async () => {
    let made = 0;
    class AlwaysCrash extends Actor {
      protected override onStart(): void {
        made++;
        throw new Error('bad config');
      }
    }
    const failed: string[] = [];
    t.system.events.on('failed', (a) => failed.push(a.name));
    await t.system.spawnSupervised('doomed', () => new AlwaysCrash({ name: 'doomed' }), { ...fast, maxRestarts: 3, windowMs: 10_000 });
    await waitUntil(() => failed.length === 1, 'give up', 3000);
    await vi.advanceTimersByTimeAsync(10_000); // the whole window: nothing restarts it
    expect(made).toBe(4); // the first start + 3 restarts
    const actor = t.system.get('doomed')!;
    expect(actor.state).toBe('failed');
    const alerts = t.bus.messages(`agents/${actor.actorId}/alert`).map((a) => alertSchema.parse(a));
    expect(alerts).toEqual([expect.objectContaining({ severity: 'critical', name: 'doomed', message: expect.stringContaining('keeps crashing') })]);
    const lastHb = heartbeatSchema.parse(t.bus.messages(`agents/${actor.actorId}/heartbeat`).at(-1));
    expect(lastHb.state).toBe('failed');
  });

  it('an explicit restart brings a given-up actor back', async () => {
    let fail = true;
    class Flaky extends Actor {
      protected override onStart(): void {
        if (fail) throw new Error('not yet');
      }
    }
    const failed: string[] = [];
    t.system.events.on('failed', (a) => failed.push(a.name));
    await t.system.spawnSupervised('flaky', () => new Flaky({ name: 'flaky' }), { ...fast, maxRestarts: 1 });
    await waitUntil(() => failed.length === 1, 'give up', 2000);
    fail = false;
    await t.system.command('flaky', 'restart');
    expect(t.system.get('flaky')!.state).toBe('running');
  });

  it('a crash of an unsupervised actor is reported and not restarted', async () => {
    const a = await t.system.spawn(new Worker('loner'));
    await t.system.ask('loner', 'crash').catch(() => {});
    await waitUntil(() => a.state === 'failed', 'the crash', 5_000);
    await vi.advanceTimersByTimeAsync(60_000); // far past any restart delay
    expect(Worker.made.loner).toBe(1);
    expect(t.bus.messages(`agents/${a.actorId}/alert`)).toHaveLength(1);
  });
});
