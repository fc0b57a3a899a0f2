/**
 * The task path between the hub and an engine: a lone call travels as its payload JSON (`callOne`),
 * handleTask calls made in the same tick as their payloads alone (`callRun`), other calls of a tick as
 * one batch of [id, hook, payload] (`callBatch`); results come back as ids/statuses/values; and the engine is entered with raw QTS
 * calls (worker/raw-calls.mjs) rather than the wrapper's handles. Both encodings give the same
 * answers; strings cross intact both ways; a payload that grows the engine's memory is read after
 * the growth; one that the agent's memory cap cannot hold takes down that agent alone, with
 * `out_of_memory`; a call dropped in the tick it was made never reaches the engine. A long batch is
 * started 64 calls a turn and answered in parts: whole and in order, and those turns (short of the
 * slice) never count against an agent as hogging its worker. A run's results are awaited in order by
 * one loop per part; a call waiting on the host does not hold up the ones after it, and an agent
 * that breaks `await` for itself is still answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureEnginePool, enginePoolConfig } from './index.js';
import { agentSpawner, expectSandboxError } from './testing/sandbox-agents.js';
import { RecordingHost } from './testing/recording-host.js';

const { spawn, terminateAll } = agentSpawner('tp', { limits: { callTimeoutMs: 5_000, memoryMb: 32 }, setup: true });
// One shared worker for the whole file (which runs isolated: vitest.config.ts), so the tests that
// need two agents on one thread have them by construction. With more, the pool places each new
// agent on the least busy worker, and CI once saw such a pair split.
const saved = { ...enginePoolConfig() };
beforeAll(() => configureEnginePool({ sharedMax: 1 }));
afterAll(async () => {
  await terminateAll();
  configureEnginePool(saved);
});

const ECHO = `export async function handleTask(agent, p) { return { p, type: p === null ? 'null' : typeof p, n: (agent.state.n = (agent.state.n ?? 0) + 1) } }`;

const PAYLOADS: unknown[] = [undefined, null, 0, -1.5, true, '', 'plain', 'ünïcödé — 日本語 — 🦊 emoji', 'quote " backslash \\ newline \n tab \t', [1, [2, [3]]], { a: { b: ['c', { d: null }] }, e: '🦊' }];

describe('one call alone and a batch give the same answers', () => {
  it('for every kind of payload, one at a time (callOne)', async () => {
    const agent = await spawn(ECHO);
    let n = 0;
    for (const p of PAYLOADS) {
      const r = (await agent.handleTask(p)) as { p: unknown; type: string; n: number };
      expect(r).toEqual({ ...(p === undefined ? {} : { p }), type: p === null ? 'null' : typeof p, n: ++n });
    }
  });

  it('for the same payloads sent in one tick (callBatch), in order', async () => {
    const agent = await spawn(ECHO);
    const rs = (await Promise.all(PAYLOADS.map((p) => agent.handleTask(p)))) as { p: unknown; type: string; n: number }[];
    expect(rs.map((r) => r.n)).toEqual(PAYLOADS.map((_, i) => i + 1));
    rs.forEach((r, i) => {
      const p = PAYLOADS[i];
      expect(r).toEqual({ ...(p === undefined ? {} : { p }), type: p === null ? 'null' : typeof p, n: i + 1 });
    });
  });

  it('for the same payloads as a run (handleTask calls with payloads in one tick: callRun), in order', async () => {
    const agent = await spawn(ECHO);
    const run = PAYLOADS.filter((p) => p !== undefined);
    const rs = (await Promise.all(run.map((p) => agent.handleTask(p)))) as { p: unknown; type: string; n: number }[];
    rs.forEach((r, i) => expect(r).toEqual({ p: run[i], type: run[i] === null ? 'null' : typeof run[i], n: i + 1 }));
  });

  it('a run with every outcome: values, undefined, a throw, a result that is not JSON; a call spinning in a run times out and the agent answers after', async () => {
    const agent = await spawn(
      `export async function handleTask(agent, p) {
        if (p === 'throw') throw new RangeError('nope');
        if (p === 'bigint') return { n: 1n };
        if (p === 'cycle') { const o = {}; o.o = o; return o; }
        if (p === 'spin') for (;;) {}
        if (p === 'none') return undefined;
        return { p };
      }`,
      { limits: { callTimeoutMs: 300, memoryMb: 32 }, isolation: 'dedicated' },
    );
    const calls = ['a', 'none', 'throw', 'bigint', 'b', 'cycle', 'c'].map((p) => agent.handleTask(p));
    for (const p of calls) p.catch(() => {}); // each is checked below, in order
    const [a, none, thrown, bigint, b, cycle, c] = calls;
    expect(await a).toEqual({ p: 'a' });
    expect(await none).toBeUndefined();
    expect(await b).toEqual({ p: 'b' });
    expect(await c).toEqual({ p: 'c' });
    expect((await expectSandboxError(thrown!)).message).toMatch(/RangeError: nope/);
    expect((await expectSandboxError(bigint!)).message).toMatch(/not JSON/);
    expect((await expectSandboxError(cycle!)).message).toMatch(/not JSON/);
    // A call spinning inside a run is interrupted (the engine names it by its place in the run); the agent answers after.
    const [x, spun] = ['x', 'spin'].map((p) => agent.handleTask(p));
    spun!.catch(() => {});
    await expectSandboxError(x!); // its deadline passed while its neighbour in the run spun
    expect((await expectSandboxError(spun!)).kind).toBe('timeout');
    expect(await agent.handleTask('after')).toEqual({ p: 'after' });
  });

  it('a lone call that throws or spins past its deadline fails alone; the next one is answered', async () => {
    const agent = await spawn(`export async function handleTask(agent, p) { if (p === 'throw') throw new RangeError('nope'); if (p === 'spin') for (;;) {} return p }`, {
      limits: { callTimeoutMs: 300, memoryMb: 32 },
      isolation: 'dedicated',
    });
    const thrown = await expectSandboxError(agent.handleTask('throw'));
    expect(thrown.kind).toBe('crash');
    expect(thrown.message).toMatch(/RangeError: nope/);
    const spun = await expectSandboxError(agent.handleTask('spin'));
    expect(spun.kind).toBe('timeout');
    expect(await agent.handleTask('after')).toBe('after');
  });
});

describe('a run, watched in order by one loop', () => {
  it('a call that waits on the host does not hold up the calls after it', async () => {
    let open!: (v: unknown) => void;
    const gate = new Promise((resolve) => (open = resolve));
    const host = new RecordingHost({ peers: { gate: () => gate } });
    const agent = await spawn(`export async function handleTask(agent, p) { return p === 'wait' ? { waited: await agent.sendTo('gate', p) } : { p } }`, { host });
    let waitSettled = false;
    const [wait, a, b] = ['wait', 'a', 'b'].map((p) => agent.handleTask(p));
    void wait!.then(() => (waitSettled = true));
    // Answered while the first call of their run still waits (the loop hands them to then()).
    expect(await Promise.all([a, b])).toEqual([{ p: 'a' }, { p: 'b' }]);
    expect(waitSettled).toBe(false);
    open('opened');
    expect(await wait).toEqual({ waited: 'opened' });
    expect(await Promise.all(['c', 'd'].map((p) => agent.handleTask(p)))).toEqual([{ p: 'c' }, { p: 'd' }]);
  });

  it('values, thenables and synchronous throws of a plain (not async) handler', async () => {
    const agent = await spawn(
      `export function handleTask(agent, p) { if (p === 'throw') throw new TypeError('sync'); if (p === 'thenable') return { then(ok) { ok('from a thenable') } }; return { p } }`,
    );
    const calls = ['a', 'thenable', 'throw', 'b'].map((p) => agent.handleTask(p));
    for (const c of calls) c.catch(() => {}); // each is checked below
    const [a, thenable, thrown, b] = calls;
    expect(await a).toEqual({ p: 'a' });
    expect(await thenable).toBe('from a thenable');
    expect((await expectSandboxError(thrown!)).message).toMatch(/TypeError: sync/);
    expect(await b).toEqual({ p: 'b' });
  });

  it('an agent that breaks await for itself (Promise then and constructor rewritten) still gets its run answered', async () => {
    const agent = await spawn(`
      export async function setup() {
        Promise.prototype.then = function () { return this };
        Object.defineProperty(Promise.prototype, 'constructor', { value: function Fake() {}, writable: true, configurable: true });
      }
      export async function handleTask(agent, p) { return { p } }`);
    expect(await Promise.all(['a', 'b', 'c'].map((p) => agent.handleTask(p)))).toEqual([{ p: 'a' }, { p: 'b' }, { p: 'c' }]);
  });
});

describe('a long batch, answered in parts', () => {
  const COUNTER = `export async function handleTask(agent, p) { agent.state.n = (agent.state.n ?? 0) + 1; return { p, n: agent.state.n } }`;

  it('is answered whole and in order', async () => {
    const agent = await spawn(COUNTER);
    const rs = (await Promise.all(Array.from({ length: 1_000 }, (_, i) => agent.handleTask(i)))) as { p: number; n: number }[];
    expect(rs.map((r) => r.p)).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    expect(rs.map((r) => r.n)).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1));
  });

  it('the first answers reach the hub while later calls of the batch have not run yet', async () => {
    const host = new RecordingHost();
    // Dedicated: its turns have no time budget, so only the count cuts the batch.
    const agent = await spawn(`export async function handleTask(agent, p) { agent.publish('ran', p); return p }`, { host, isolation: 'dedicated' });
    let publishedAtFirstAnswer = -1;
    const calls = Array.from({ length: 1_000 }, (_, i) => agent.handleTask(i));
    void calls[0]!.then(() => {
      publishedAtFirstAnswer = host.published.length;
    });
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    // The part with the first answer came with its own calls' publishes only (one turn's share).
    expect(publishedAtFirstAnswer).toBeGreaterThan(0);
    expect(publishedAtFirstAnswer).toBeLessThan(1_000);
    expect(host.published).toHaveLength(1_000);
  });

  it('two agents streaming long batches on one shared worker both stay there (turns cut by count are not full turns)', async () => {
    const a = await spawn(COUNTER);
    const b = await spawn(COUNTER);
    expect(a.placement?.kind).toBe('shared');
    expect(b.placement?.worker).toBe(a.placement?.worker);
    // 1,800 calls each in one tick: ~28 turns each with work left while the other agent waits.
    // Counted as full turns (each uses a fraction of the slice), 25 in a row would move an agent out.
    for (let round = 0; round < 3; round++) {
      await Promise.all([a, b].flatMap((agent) => Array.from({ length: 1_800 }, (_, i) => agent.handleTask(i))));
    }
    expect(a.placement?.kind).toBe('shared');
    expect(b.placement?.kind).toBe('shared');
    expect(b.placement?.worker).toBe(a.placement?.worker);
  });
});

describe('payloads and memory', () => {
  it('a payload that grows the engine memory is read whole (the heap view is taken after the growth)', async () => {
    const agent = await spawn(`export async function handleTask(agent, p) { return { length: p.length, head: p.slice(0, 3), tail: p.slice(-3) } }`);
    // 6 MB of UTF-8 arrives in an engine whose memory starts near 6 MB: made inside it, it must grow.
    const big = `abc${'é'.repeat(3 * 1024 * 1024)}xyz`;
    expect(await agent.handleTask(big)).toEqual({ length: big.length, head: 'abc', tail: 'xyz' });
    expect(await agent.handleTask('small')).toEqual({ length: 5, head: 'sma', tail: 'all' });
  });

  it('a payload over the agent memory cap takes that agent down with out_of_memory; a neighbour on the worker answers', async () => {
    const bystander = await spawn(ECHO);
    const agent = await spawn(`export async function handleTask(agent, p) { return p.length }`, { limits: { callTimeoutMs: 5_000, memoryMb: 16 } });
    expect(agent.placement?.worker).toBe(bystander.placement?.worker);
    const err = await expectSandboxError(agent.handleTask('x'.repeat(24 * 1024 * 1024)));
    expect(err.kind).toBe('out_of_memory');
    expect(await bystander.handleTask('still here')).toEqual({ p: 'still here', type: 'string', n: 1 });
  });
});

describe('calls dropped before their message left', () => {
  it('a call made and stopped in the same tick never runs in the engine', async () => {
    const host = new RecordingHost();
    const agent = await spawn(`export async function handleTask(agent, p) { agent.publish('ran', p); return p }`, { host });
    const pending = agent.handleTask('never');
    // Same tick: the engine is dropped before the worker's message of this tick is sent.
    const stopped = agent.terminate();
    const err = await expectSandboxError(pending);
    expect(err.kind).toBe('stopped');
    await stopped;
    const witness = await spawn(`export async function handleTask(agent, p) { agent.publish('ran', p); return p }`, { host });
    expect(await witness.handleTask('witness')).toBe('witness');
    expect(host.published.map((p) => p.payload)).toEqual(['witness']);
  });
});
