import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../shared/message.js';
import { heartbeatSchema, manifestSchema, metricsSchema, statusSchema, logSchema } from '../../shared/mqtt-payloads.js';
import { Actor } from './actor.js';
import { AskError, TaskError, ActorCrashError } from './errors.js';
import { actorIdFor } from './actor-id.js';
import { createTestSystem, type TestSystem } from './testing/test-system.js';
import { waitUntil } from '../testing/wait.js';

class Recorder extends Actor {
  seen: unknown[] = [];
  protected override handleTask(payload: unknown): unknown {
    this.seen.push(payload);
    return { got: payload };
  }
}

class SlowEcho extends Actor {
  active = 0;
  maxActive = 0;
  order: number[] = [];
  protected override async handleTask(payload: unknown): Promise<unknown> {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    // Suspended across a random number of event-loop turns: a second message would interleave here.
    for (let i = Math.floor(Math.random() * 4); i >= 0; i--) await new Promise((r) => setImmediate(r));
    this.order.push(payload as number);
    this.active--;
    return payload;
  }
}

let t: TestSystem;
beforeEach(async () => {
  t = await createTestSystem();
});
afterEach(async () => {
  await t.close();
});

describe('Actor', () => {
  it('has the id the original derives (uuid5 of DNS and wactorz.actor.<name>)', () => {
    expect(new Recorder({ name: 'main' }).actorId).toBe(actorIdFor('main'));
  });

  it('answers ask with the RESULT of handleTask', async () => {
    await t.system.spawn(new Recorder({ name: 'rec' }));
    expect(await t.system.ask('rec', { a: 1 })).toEqual({ got: { a: 1 } });
  });

  it('handles one message at a time, in order, even with async handlers', async () => {
    const a = await t.system.spawn(new SlowEcho({ name: 'slow' }));
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => t.system.ask('slow', i)));
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a.order).toEqual(answers);
    expect(a.maxActive).toBe(1);
  });

  it('turns a thrown TaskError into an ERROR with its kind, and lives on', async () => {
    class Picky extends Actor {
      protected override handleTask(p: unknown): unknown {
        if (p === 'bad') throw new TaskError('bad input', 'bad_input');
        if (p === 'boom') throw new Error('kaput');
        return 'ok';
      }
    }
    const a = await t.system.spawn(new Picky({ name: 'picky' }));
    await expect(t.system.ask('picky', 'bad')).rejects.toMatchObject({ kind: 'bad_input' });
    await expect(t.system.ask('picky', 'boom')).rejects.toMatchObject({ kind: 'crash', message: expect.stringContaining('kaput') });
    expect(await t.system.ask('picky', 'fine')).toBe('ok');
    expect(a.counters).toMatchObject({ tasksCompleted: 1, tasksFailed: 2 });
    expect(a.state).toBe('running');
  });

  it('ask times out with a clear error', async () => {
    class Silent extends Actor {
      protected override handleMessage(): void {}
    }
    await t.system.spawn(new Silent({ name: 'silent' }));
    const err = await t.system.ask('silent', 1, 50).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AskError);
    expect(err).toMatchObject({ kind: 'timeout', message: expect.stringContaining('no answer from silent within 50 ms') });
  });

  it('ask to an unknown actor fails at once with not_found', async () => {
    await expect(t.system.ask('ghost', 1)).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('an actor can ask another from inside its handler without deadlocking', async () => {
    class Asker extends Actor {
      protected override async handleTask(p: unknown): Promise<unknown> {
        return { via: await this.ask('rec', p) };
      }
    }
    await t.system.spawn(new Recorder({ name: 'rec' }));
    await t.system.spawn(new Asker({ name: 'asker' }));
    expect(await t.system.ask('asker', 7)).toEqual({ via: { got: 7 } });
  });

  it('bounded inbox, reject-new: the overflowing ask gets an overflow ERROR and nothing accepted is lost', async () => {
    const a = new Recorder({ name: 'tiny', inboxCapacity: 3 });
    await t.system.spawn(a);
    await t.system.command('tiny', 'pause');
    const asks = Array.from({ length: 5 }, (_, i) => t.system.ask('tiny', i).then((v) => ({ ok: v }), (e: AskError) => ({ err: e.kind })));
    await t.system.command('tiny', 'resume');
    const results = await Promise.all(asks);
    expect(results.slice(0, 3)).toEqual([{ ok: { got: 0 } }, { ok: { got: 1 } }, { ok: { got: 2 } }]);
    expect(results.slice(3)).toEqual([{ err: 'overflow' }, { err: 'overflow' }]);
  });

  it('bounded inbox, drop-oldest: the evicted task is answered with overflow', async () => {
    await t.system.spawn(new Recorder({ name: 'lossy', inboxCapacity: 2, overflow: 'drop-oldest' }));
    await t.system.command('lossy', 'pause');
    const asks = [0, 1, 2].map((i) => t.system.ask('lossy', i).then((v) => ({ ok: v }), (e: AskError) => ({ err: e.kind })));
    await t.system.command('lossy', 'resume');
    expect(await Promise.all(asks)).toEqual([{ err: 'overflow' }, { ok: { got: 1 } }, { ok: { got: 2 } }]);
  });

  it('pause keeps messages waiting; resume handles them', async () => {
    const a = await t.system.spawn(new Recorder({ name: 'p' }));
    await t.system.command('p', 'pause');
    expect(a.state).toBe('paused');
    const pending = t.system.ask('p', 'x');
    // A marker to a running actor is answered only after a scheduler turn, in which p would have
    // come first had its message woken it.
    await t.system.spawn(new Recorder({ name: 'marker' }));
    await t.system.ask('marker', 'after');
    expect(a.seen).toEqual([]);
    expect(a.inboxSize).toBe(1);
    await t.system.command('p', 'resume');
    expect(await pending).toEqual({ got: 'x' });
  });

  it('long-running work started in onStart does not block the loop', async () => {
    class Busy extends Actor {
      stopped = false;
      protected override onStart(): void {
        void (async () => {
          while (!this.stopped) await new Promise((r) => setImmediate(r));
        })();
      }
      protected override handleTask(): unknown {
        return 'still answering';
      }
      protected override onStop(): void {
        this.stopped = true;
      }
    }
    await t.system.spawn(new Busy({ name: 'busy' }));
    expect(await t.system.ask('busy', null, 1000)).toBe('still answering');
  });

  it('publishes heartbeat, metrics, status and a retained manifest in the original shapes', async () => {
    await t.system.spawn(new Recorder({ name: 'obs', description: 'observed', capabilities: ['echo'], publishes: ['x/y'] }));
    const id = actorIdFor('obs');
    const hb = t.bus.messages(`agents/${id}/heartbeat`);
    expect(hb.length).toBeGreaterThan(0);
    const parsedHb = heartbeatSchema.parse(hb.at(-1));
    expect(parsedHb).toMatchObject({ actor_id: id, name: 'obs', state: 'running', protected: false, inbox_size: 0 });
    expect(parsedHb.memory_mb).toBeGreaterThan(0);
    expect(parsedHb.timestamp).toBeLessThan(Date.now() / 1000 + 1);
    metricsSchema.parse(t.bus.messages(`agents/${id}/metrics`).at(-1));
    const statuses = t.bus.messages(`agents/${id}/status`).map((s) => statusSchema.parse(s).state);
    expect(statuses).toEqual(['starting', 'running']);
    const manifest = t.bus.published.find((p) => p.topic === `agents/${id}/manifest`)!;
    expect(manifest.retain).toBe(true);
    expect(manifestSchema.parse(JSON.parse(manifest.payload.toString()))).toMatchObject({ name: 'obs', description: 'observed', capabilities: ['echo'], publishes: ['x/y'] });
  });

  it("uses the original's values where ours differed: task \"idle\", input_schema {}, input_tokens beside tokens_in", async () => {
    class Billed extends Recorder {
      override metricsExtras(): Record<string, unknown> {
        return { tokens_in: 120, tokens_out: 7, cost_usd: 0.01 };
      }
      override heartbeatExtras(): Record<string, unknown> {
        return { tokens_in: 120, tokens_out: 7 };
      }
    }
    const a = await t.system.spawn(new Billed({ name: 'billed' }));
    const id = actorIdFor('billed');
    expect(t.bus.messages(`agents/${id}/heartbeat`).at(-1)).toMatchObject({ task: 'idle', tokens_in: 120, input_tokens: 120, output_tokens: 7 });
    expect(metricsSchema.parse(t.bus.messages(`agents/${id}/metrics`).at(-1))).toMatchObject({ tokens_in: 120, tokens_out: 7, input_tokens: 120, output_tokens: 7, cost_usd: 0.01 });
    const manifest = t.bus.published.find((p) => p.topic === `agents/${id}/manifest`)!;
    expect(JSON.parse(manifest.payload.toString())).toMatchObject({ input_schema: {}, output_schema: {} });
    // A task in hand is named; the heartbeat count and the messages received are kept for REST.
    a.currentTask = 'crunching';
    t.system.telemetry.beat(a);
    expect(t.bus.messages(`agents/${id}/heartbeat`).at(-1)).toMatchObject({ task: 'crunching' });
    expect(t.system.telemetry.lastBeat.get('billed')).toMatchObject({ heartbeat: { task: 'crunching' }, count: 2 });
    await t.system.ask('billed', 1);
    expect(a.counters).toMatchObject({ messagesReceived: 1, messagesProcessed: 1 });
  });

  it("publishes one final metrics payload (`final: true`) when an actor stops, before its status, and no metrics after it", async () => {
    class Billed extends Recorder {
      override metricsExtras(): Record<string, unknown> {
        return { tokens_in: 10, tokens_out: 2, cost_usd: 0.5 };
      }
    }
    const ids = { quits: actorIdFor('quits'), crashes: actorIdFor('crashes'), deleted: actorIdFor('deleted') };
    await t.system.spawn(new Billed({ name: 'quits' }));
    await t.system.ask('quits', 1);
    const sequence = (id: string) =>
      t.bus.published
        .filter((p) => p.topic === `agents/${id}/metrics` || p.topic === `agents/${id}/status`)
        .map((p) => {
          const body = JSON.parse(p.payload.toString()) as Record<string, unknown>;
          return p.topic.endsWith('/status') ? `status:${String(body.state)}` : body.final === true ? 'metrics:final' : 'metrics';
        });
    const tail = (id: string) => sequence(id).slice(sequence(id).lastIndexOf('metrics:final'));

    await t.system.stop('quits');
    // The original's order: the final metrics, then the stopped status; the heartbeat that follows says `stopped`, with no metrics.
    expect(tail(ids.quits)).toEqual(['metrics:final', 'status:stopped']);
    const final = metricsSchema.parse(t.bus.messages(`agents/${ids.quits}/metrics`).at(-1));
    expect(final).toMatchObject({ actor_id: ids.quits, final: true, messages_processed: 1, tasks_completed: 1, input_tokens: 10, output_tokens: 2, cost_usd: 0.5 });
    expect(t.bus.messages(`agents/${ids.quits}/heartbeat`).at(-1)).toMatchObject({ state: 'stopped' });
    t.system.telemetry.beat(t.system.require('quits'));
    expect(tail(ids.quits)).toEqual(['metrics:final', 'status:stopped']);
    // Only the last one is final: the metrics while it ran were not.
    expect(t.bus.messages<{ final?: boolean }>(`agents/${ids.quits}/metrics`).filter((m) => m.final).length).toBe(1);

    // A crash and a delete end the same way (a crashed actor's heartbeats go on saying `failed`).
    class Crashes extends Recorder {
      protected override handleTask(): unknown {
        throw new ActorCrashError('boom');
      }
    }
    await t.system.spawn(new Crashes({ name: 'crashes' }));
    await expect(t.system.ask('crashes', 1)).rejects.toBeInstanceOf(AskError);
    await waitUntil(() => t.system.require('crashes').state === 'failed', 'the crash');
    expect(tail(ids.crashes)).toEqual(['metrics:final', 'status:failed']);
    expect(metricsSchema.parse(t.bus.messages(`agents/${ids.crashes}/metrics`).at(-1))).toMatchObject({ final: true, tasks_failed: 1 });
    await t.system.spawn(new Recorder({ name: 'deleted' }));
    await t.system.remove('deleted');
    expect(tail(ids.deleted)).toEqual(['metrics:final', 'status:stopped']);
  });

  it('heartbeats every heartbeatMs', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    const fast = await createTestSystem({ heartbeatMs: 20 });
    try {
      await fast.system.spawn(new Recorder({ name: 'hb' }));
      const beats = () => fast.bus.messages(`agents/${actorIdFor('hb')}/heartbeat`).length;
      const first = beats();
      await vi.advanceTimersByTimeAsync(120);
      expect(beats()).toBeGreaterThanOrEqual(3);
      expect(beats() - first).toBe(6); // one per 20 ms
    } finally {
      await fast.close();
      vi.useRealTimers();
    }
  });

  it('obeys agents/{id}/commands; protected actors refuse the destructive ones', async () => {
    const plain = await t.system.spawn(new Recorder({ name: 'plain' }));
    const guarded = await t.system.spawn(new Recorder({ name: 'guarded', protected: true }));
    t.bus.publish(`agents/${guarded.actorId}/commands`, { command: 'stop' });
    t.bus.publish(`agents/${guarded.actorId}/commands`, { command: 'pause' });
    t.bus.publish(`agents/${plain.actorId}/commands`, { command: 'pause' });
    t.bus.publish(`agents/${plain.actorId}/commands`, 'not json');
    t.bus.publish(`agents/${plain.actorId}/commands`, { command: 'explode' });
    await waitUntil(() => plain.state === 'paused', 'plain paused', 5_000);
    // The bus delivers in order and synchronously: guarded's commands were handled before plain's.
    expect(guarded.state).toBe('running');
    const logs = t.bus.messages(`agents/${guarded.actorId}/logs`).map((l) => logSchema.parse(l).message);
    expect(logs.join('\n')).toMatch(/protected: refusing to stop/);
    expect(t.bus.messages(`agents/${plain.actorId}/logs`).map((l) => (l as { message: string }).message).join('\n')).toMatch(/malformed command/);
    t.bus.publish(`agents/${plain.actorId}/commands`, { command: 'stop' });
    await waitUntil(() => plain.state === 'stopped', 'plain stopped', 5_000);
  });

  it('delete removes the actor and clears its retained manifest', async () => {
    const a = await t.system.spawn(new Recorder({ name: 'gone' }));
    await t.system.command('gone', 'delete');
    expect(t.system.get('gone')).toBeUndefined();
    const last = t.bus.published.filter((p) => p.topic === `agents/${a.actorId}/manifest`).at(-1)!;
    expect(last).toMatchObject({ retain: true });
    expect(last.payload.length).toBe(0);
  });

  it('persist/recall round-trips through the persistence layer', async () => {
    class Counter extends Actor {
      protected override async handleTask(): Promise<unknown> {
        const n = ((await this.recall<number>('count')) ?? 0) + 1;
        await this.persist('count', n);
        return n;
      }
    }
    await t.system.spawn(new Counter({ name: 'counter' }));
    await t.system.ask('counter', null);
    expect(await t.system.ask('counter', null)).toBe(2);
    expect(await t.persistence.recall('counter', 'count')).toBe(2);
  });

  it('stopping answers waiting tasks with a stopped ERROR', async () => {
    await t.system.spawn(new Recorder({ name: 'quit' }));
    await t.system.command('quit', 'pause');
    const pending = t.system.ask('quit', 1);
    await t.system.stop('quit');
    await expect(pending).rejects.toMatchObject({ kind: 'stopped' });
    await expect(t.system.ask('quit', 2)).rejects.toMatchObject({ kind: 'stopped' });
  });

  it('an ActorCrashError from a handler crashes the actor (not just the message)', async () => {
    class Fragile extends Actor {
      protected override handleMessage(msg: Message): void {
        if (msg.payload === 'die') throw new ActorCrashError('fatal');
      }
    }
    const a = await t.system.spawn(new Fragile({ name: 'fragile' }));
    a.send('fragile', 'TASK', 'die');
    await waitUntil(() => a.state === 'failed', 'the crash', 5_000);
  });

  it('shuts down in reverse start order', async () => {
    const order: string[] = [];
    class Tracked extends Actor {
      protected override onStop(): void {
        order.push(this.name);
      }
    }
    for (const n of ['a', 'b', 'c']) await t.system.spawn(new Tracked({ name: n }));
    await t.system.shutdown();
    expect(order).toEqual(['c', 'b', 'a']);
  });
});
