/**
 * Agents sharing a sandbox worker: whatever one does — spin, eat memory, crash, try to escape, run
 * long — reaches only that agent. Its neighbour on the same thread keeps its engine (module globals
 * survive: the neighbour was never rebuilt), its state, and answers. Also: moves to a worker of its
 * own, the per-agent reset(), and what a dead or stuck thread does to the agents it hosted.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { closeEnginePool, configureEnginePool, enginePoolConfig, enginePoolStats, SandboxError, type SandboxedAgent, type SandboxedAgentOptions } from './index.js';
import { agentSpawner, expectSandboxError } from './testing/sandbox-agents.js';
import { RecordingHost } from './testing/recording-host.js';
import { NATIVE_SORT } from './testing/busy-code.js';

const { spawn, terminateAll } = agentSpawner('nb', { limits: { callTimeoutMs: 5_000, memoryMb: 32 }, setup: true });
const saved = { ...enginePoolConfig() };
beforeAll(() => configureEnginePool({ sharedMax: 1, dedicatedMax: 16 }));
afterAll(async () => {
  await terminateAll();
  configureEnginePool(saved);
});

/** A bystander with a module-level counter: it keeps counting only if its engine was never rebuilt. */
const BYSTANDER = `
let calls = 0;
export async function setup(agent) { agent.state.boots = (agent.state.boots ?? 0) + 1 }
export async function handleTask(agent, p) { calls++; return { p, calls, boots: agent.state.boots } }`;

async function pair(code: string, opts: Partial<SandboxedAgentOptions> = {}): Promise<{ culprit: SandboxedAgent; bystander: SandboxedAgent }> {
  const bystander = await spawn(BYSTANDER);
  const culprit = await spawn(code, opts);
  expect(culprit.placement?.kind).toBe('shared');
  expect(culprit.placement?.worker).toBe(bystander.placement?.worker);
  expect(await bystander.handleTask('before')).toEqual({ p: 'before', calls: 1, boots: 1 });
  return { culprit, bystander };
}

describe('a neighbour on the same worker is unharmed', () => {
  it('by an endless loop: the spinner is cut at its slice and moves out; the neighbour is answered meanwhile', async () => {
    const { culprit, bystander } = await pair(`export async function handleTask(agent, p) { if (p === 'spin') for (;;) {} return 'ok' }`, {
      limits: { callTimeoutMs: 3_000, memoryMb: 32 },
    });
    const spinning = expectSandboxError(culprit.handleTask('spin'));
    // The neighbour's task, sent while the spinner runs: answered long before the spinner's deadline.
    const t0 = performance.now();
    expect(await bystander.handleTask('during')).toEqual({ p: 'during', calls: 2, boots: 1 });
    const waited = performance.now() - t0;
    process.stderr.write(`neighbour answered ${waited.toFixed(1)} ms after a spinner started (slice ${enginePoolConfig().sliceMs} ms)\n`);
    expect(waited).toBeLessThan(3_000);
    expect((await spinning).kind).toBe('timeout');
    // The spinner ran again on a worker of its own (its turn was rolled back), and lives on there.
    expect(culprit.placement?.kind).toBe('dedicated');
    expect(await culprit.handleTask('after')).toBe('ok');
    expect(await bystander.handleTask('after')).toEqual({ p: 'after', calls: 3, boots: 1 });
  });

  it('by a memory bomb: the bomber hits its own cap; the neighbour keeps its engine and state', async () => {
    const { culprit, bystander } = await pair(`export async function handleTask() { const hog = []; for (;;) hog.push(new Array(50000).fill(hog.length)) }`, {
      limits: { callTimeoutMs: 20_000, memoryMb: 16 },
    });
    const err = await expectSandboxError(culprit.handleTask(null));
    // Filling memory is CPU work too: on a shared worker the bomb may first be moved out.
    expect(['out_of_memory']).toContain(err.kind);
    expect(culprit.status).toBe('crashed');
    expect(await bystander.handleTask('after')).toEqual({ p: 'after', calls: 2, boots: 1 });
  });

  it('by a crash: a throw, an unhandled rejection, process.exit, a dead engine — the neighbour goes on', async () => {
    const { culprit, bystander } = await pair(`export async function handleTask(agent, p) {
      if (p === 'throw') throw new Error('boom');
      if (p === 'reject') { Promise.reject(new Error('nobody listens')); return 'rejected' }
      if (p === 'exit') process.exit(1);
      return 'alive';
    }`);
    expect((await expectSandboxError(culprit.handleTask('throw'))).kind).toBe('crash');
    expect(await culprit.handleTask('reject')).toBe('rejected');
    expect((await expectSandboxError(culprit.handleTask('exit'))).message).toMatch(/process/);
    await culprit.terminate();
    expect(await bystander.handleTask('after')).toEqual({ p: 'after', calls: 2, boots: 1 });
  });

  it('by an escape attempt: globals, prototypes, JSON and the other agent’s state stay out of reach', async () => {
    const { culprit, bystander } = await pair(`export async function handleTask(agent) {
      Object.prototype.polluted = 'yes'; Array.prototype.map = () => 'hijacked'; JSON.parse = () => 'pwned';
      globalThis.shared = 'from the vandal';
      const found = [];
      for (const k of Object.getOwnPropertyNames(globalThis)) { try { if (JSON.stringify(globalThis[k] ?? null).includes('boots')) found.push(k) } catch {} }
      if (await agent.recall('boots')) found.push('persisted');
      const g = Function('return this')();
      return { found, process: typeof g.process, require: typeof g.require, wasm: typeof g.WebAssembly };
    }`);
    expect(await culprit.handleTask(null)).toEqual({ found: [], process: 'undefined', require: 'undefined', wasm: 'undefined' });
    const after = (await bystander.handleTask('after')) as Record<string, unknown>;
    expect(after).toEqual({ p: 'after', calls: 2, boots: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('CPU slices on a shared worker', () => {
  it('a call longer than a slice is rolled back and run once more on a worker of its own, from the last state', async () => {
    const host = new RecordingHost();
    const agent = await spawn(
      `export async function handleTask(agent, ms) {
         agent.state.runs = (agent.state.runs ?? 0) + 1; agent.publish('side/effect', agent.state.runs);
         const end = Date.now() + ms; while (Date.now() < end) {}
         return agent.state.runs;
       }`,
      { host },
    );
    expect(agent.placement?.kind).toBe('shared');
    expect(await agent.handleTask(1)).toBe(1);
    // 300 ms of CPU: far over the slice. The first run's effects never left the engine.
    expect(await agent.handleTask(300)).toBe(2);
    expect(agent.placement?.kind).toBe('dedicated');
    expect(host.published.map((p) => p.payload)).toEqual([1, 2]);
    expect(agent.state.runs).toBe(2);
    expect(host.logs.some((l) => /moved to a sandbox worker of its own/.test(l.message))).toBe(true);
  });

  it('with no worker of its own free, the long call fails clearly and the agent is reset in place', async () => {
    configureEnginePool({ dedicatedMax: 0 });
    try {
      const { culprit, bystander } = await pair(`let n = 0; export async function handleTask(agent, ms) { n++; const end = Date.now() + ms; while (Date.now() < end) {} return n }`);
      const err = await expectSandboxError(culprit.handleTask(300));
      expect(err.kind).toBe('timeout');
      expect(err.message).toMatch(/CPU slice of a shared worker and no worker of its own is free/);
      await expect.poll(() => culprit.placement?.kind, { timeout: 5_000 }).toBe('shared');
      expect(await culprit.handleTask(0)).toBe(1);
      expect(await bystander.handleTask('after')).toEqual({ p: 'after', calls: 2, boots: 1 });
    } finally {
      configureEnginePool({ dedicatedMax: 16 });
    }
  });

  it('an agent that keeps using whole slices while a neighbour waits moves between calls, losing none', async () => {
    // Two agents on one shared worker, each with 300 tasks of 3 ms in flight: every turn of either
    // ends with work left while the other is ready, so every turn counts against it — a count, not
    // a race with a neighbour's asks (which a fast or a loaded machine won). Both move; none is lost.
    const SPIN = `export async function handleTask(agent, ms) { const end = Date.now() + ms; while (Date.now() < end) {} return ms }`;
    // Every task is in flight from the start, and a call's deadline runs from when it is asked.
    const limits = { callTimeoutMs: 60_000, memoryMb: 32 };
    const neighbour = await spawn(SPIN, { limits });
    const busy = await spawn(SPIN, { limits });
    expect(busy.placement?.kind).toBe('shared');
    expect(busy.placement?.worker).toBe(neighbour.placement?.worker);
    const work = (a: SandboxedAgent) => Promise.all(Array.from({ length: 300 }, () => a.handleTask(3)));
    const [mine, theirs] = await Promise.all([work(busy), work(neighbour)]);
    expect(mine).toEqual(Array.from({ length: 300 }, () => 3));
    expect(theirs).toEqual(Array.from({ length: 300 }, () => 3));
    // The move is a hot-swap between calls: it may complete just after the last one.
    await expect.poll(() => busy.placement?.kind, { timeout: 10_000 }).toBe('dedicated');
  });

  it('an agent that keeps failing gets a worker of its own at its next start', async () => {
    const agent = await spawn(`export async function handleTask(agent, p) { if (p === 'bomb') { const hog = []; for (;;) hog.push(new Array(50000).fill(1)) } return 'ok' }`, {
      limits: { callTimeoutMs: 20_000, memoryMb: 8 },
    });
    for (let i = 0; i < 3; i++) {
      expect(agent.placement?.kind).toBe('shared');
      expect((await expectSandboxError(agent.handleTask('bomb'))).kind).toBe('out_of_memory');
      await agent.restart();
    }
    expect(agent.placement?.kind).toBe('dedicated');
    expect(await agent.handleTask('x')).toBe('ok');
  });

  it('the pool starts another shared worker only when the ones it has are busy', async () => {
    configureEnginePool({ sharedMax: 2, growAtBusy: 0.2 });
    try {
      // A pool of its own: the agents of the tests before leave and their workers go (earlier tests
      // may have grown the pool to several idle shared workers, and an idle agent may go to any).
      await terminateAll();
      await closeEnginePool();
      await expect.poll(() => enginePoolStats().workers.every((w) => w.kind !== 'shared' || w.busy < 0.2), { timeout: 15_000 }).toBe(true);
      const quietA = await spawn(`export async function handleTask(agent, p) { return p }`);
      const quietB = await spawn(`export async function handleTask(agent, p) { return p }`);
      // Idle: the second agent joins the first one's worker.
      expect(quietB.placement?.worker).toBe(quietA.placement?.worker);
      const busy = await spawn(`export async function handleTask(agent, ms) { const end = Date.now() + ms; while (Date.now() < end) {} return ms }`);
      expect(busy.placement?.worker).toBe(quietA.placement?.worker);
      // Keep that worker busy (short tasks, back to back) until it reports it, then place another agent.
      let stop = false;
      // Two loops of 32 tasks in flight: the worker never waits for the hub between batches.
      const loop = async (): Promise<void> => {
        while (!stop) await Promise.all(Array.from({ length: 32 }, () => busy.handleTask(2)));
      };
      const load = Promise.all([loop(), loop()]);
      let late: SandboxedAgent;
      try {
        await expect
          .poll(() => enginePoolStats().workers.find((w) => w.id === quietA.placement?.worker)?.busy ?? 0, { timeout: 15_000 })
          .toBeGreaterThanOrEqual(0.5);
        expect(busy.placement?.worker).toBe(quietA.placement?.worker);
        late = await spawn(`export async function handleTask(agent, p) { return p }`);
      } finally {
        stop = true;
        await load;
      }
      expect(late.placement?.kind).toBe('shared');
      expect(late.placement?.worker).not.toBe(quietA.placement?.worker);
      expect(enginePoolStats().sharedWorkers).toBe(2);
    } finally {
      await terminateAll();
      configureEnginePool({ sharedMax: 1, growAtBusy: saved.growAtBusy });
    }
  });

  it('a burst of spawns (a restore) grows the pool by its backlog of starts, up to sharedMax, and spreads over it', async () => {
    const echo = `export async function handleTask(agent, p) { return p + 1 }`;
    const burst = async (n: number): Promise<SandboxedAgent[]> => {
      const many = await Promise.all(Array.from({ length: n }, () => spawn(echo)));
      expect(await Promise.all(many.map((a, i) => a.handleTask(i)))).toEqual(many.map((_, i) => i + 1));
      return many;
    };
    try {
      await terminateAll();
      await closeEnginePool();
      // The same burst with a backlog that never counts: one worker, as before.
      configureEnginePool({ sharedMax: 2, growAtBacklog: 10_000 });
      const onOne = await burst(24);
      expect(new Set(onOne.map((a) => a.placement?.worker)).size).toBe(1);
      expect(enginePoolStats().sharedWorkers).toBe(1);
      await terminateAll();
      await closeEnginePool();
      configureEnginePool({ sharedMax: 2, growAtBacklog: 4 });
      const spread = await burst(24);
      const stats = enginePoolStats();
      expect(stats.sharedWorkers).toBe(2);
      const perWorker = new Map<number | undefined, number>();
      for (const a of spread) perWorker.set(a.placement?.worker, (perWorker.get(a.placement?.worker) ?? 0) + 1);
      expect(perWorker.size).toBe(2);
      expect(Math.min(...perWorker.values())).toBeGreaterThanOrEqual(8);
      // Every start is through: nothing left in the backlog that would grow the pool again.
      expect(stats.workers.every((w) => w.starting === 0)).toBe(true);
    } finally {
      await terminateAll();
      configureEnginePool({ sharedMax: 1, growAtBacklog: saved.growAtBacklog });
    }
  });

  it('a burst of spawns comes back while it boots: the first agent is up while most of the burst is still starting', async () => {
    const echo = `export async function handleTask(agent, p) { return p }`;
    const pending = Array.from({ length: 80 }, () => spawn(echo));
    const first = await pending[0]!;
    // Booted in rounds between turns: the first one loaded and ran its setup before the rest booted
    // (all booted at once, the first one's load waited for the 80th boot).
    const starting = enginePoolStats().workers.find((w) => w.id === first.placement?.worker)?.starting ?? 0;
    expect(starting).toBeGreaterThan(8);
    expect(await first.handleTask('up')).toBe('up');
    const all = await Promise.all(pending);
    expect(await Promise.all(all.map((a, i) => a.handleTask(i)))).toEqual(all.map((_, i) => i));
    expect(enginePoolStats().workers.every((w) => w.starting === 0)).toBe(true);
    await Promise.all(all.map((a) => a.terminate()));
  });

  it('an agent asking for isolation gets a worker of its own; threads stay few with many agents', async () => {
    const own = await spawn(`export async function handleTask() { return 'own' }`, { isolation: 'dedicated' });
    expect(own.placement?.kind).toBe('dedicated');
    const many = await Promise.all(Array.from({ length: 40 }, () => spawn(`export async function handleTask(agent, p) { return p + 1 }`)));
    expect(await Promise.all(many.map((a, i) => a.handleTask(i)))).toEqual(many.map((_, i) => i + 1));
    const stats = enginePoolStats();
    expect(stats.sharedWorkers).toBe(1);
    expect(new Set(many.map((a) => a.placement?.worker)).size).toBe(1);
    await Promise.all(many.map((a) => a.terminate()));
  });
});

describe('reset and containment gaps', () => {
  it('reset() rebuilds one agent from its code and last state; its neighbour is not touched', async () => {
    const { culprit, bystander } = await pair(`let calls = 0; export async function setup(agent) { agent.state.boots = (agent.state.boots ?? 0) + 1 }
      export async function handleTask(agent) { calls++; agent.state.seen = calls; return { calls, boots: agent.state.boots } }`);
    expect(await culprit.handleTask(null)).toEqual({ calls: 1, boots: 1 });
    await culprit.reset();
    expect(culprit.status).toBe('running');
    expect(await culprit.handleTask(null)).toEqual({ calls: 1, boots: 2 });
    expect(culprit.state).toMatchObject({ seen: 1, boots: 2 });
    expect(await bystander.handleTask('after')).toEqual({ p: 'after', calls: 2, boots: 1 });
  });

  it('a deadline hit while the host reads a result resets that agent: it answers the next task', async () => {
    const { culprit, bystander } = await pair(`export async function handleTask(agent, p) { if (p === 'poison') return { get g() { while (true) {} } }; return 'fine:' + p }`, {
      limits: { callTimeoutMs: 1_000, memoryMb: 32 },
    });
    const err = await expectSandboxError(culprit.handleTask('poison'));
    expect(err.kind).toBe('timeout');
    expect(err.fatal).toBe(false);
    expect(await culprit.handleTask('next')).toBe('fine:next');
    expect(await culprit.handleTask('again')).toBe('fine:again');
    expect(await bystander.handleTask('after')).toEqual({ p: 'after', calls: 2, boots: 1 });
  });
});

describe('the thread', () => {
  it('a worker that dies fails every agent it hosted, saying so; each restarts', async () => {
    const a = await spawn(BYSTANDER);
    const b = await spawn(BYSTANDER);
    expect(a.placement?.worker).toBe(b.placement?.worker);
    const crashes: SandboxError[] = [];
    a.onCrash((e) => crashes.push(e));
    b.onCrash((e) => crashes.push(e));
    await (a as unknown as { current: { worker: { terminate(): Promise<void> } } }).current.worker.terminate();
    await expect.poll(() => crashes.length, { timeout: 5_000 }).toBe(2);
    expect(crashes.map((c) => c.kind)).toEqual(['crash', 'crash']);
    expect(crashes[0]!.message).toMatch(/sandbox worker exited/);
    await a.restart();
    await b.restart();
    expect(await a.handleTask('x')).toMatchObject({ boots: 2 });
    expect(await b.handleTask('x')).toMatchObject({ boots: 2 });
  });

  it('an engine that stays busy past its deadline (native code no interrupt reaches) is stopped and reported fatal', async () => {
    configureEnginePool({ wedgedGraceMs: 300 });
    onTestFinished(() => configureEnginePool({ wedgedGraceMs: saved.wedgedGraceMs }));
    const agent = await spawn(
      `export async function handleTask(agent, p) { if (p !== 'sort') return p; ${NATIVE_SORT} }`,
      { limits: { callTimeoutMs: 200, memoryMb: 512 }, isolation: 'dedicated' },
    );
    expect(await agent.handleTask('ping')).toBe('ping');
    const crashes: SandboxError[] = [];
    agent.onCrash((e) => crashes.push(e));
    const err = await expectSandboxError(agent.handleTask('sort'));
    expect(err.kind).toBe('timeout');
    await expect.poll(() => crashes.map((c) => c.kind), { timeout: 15_000 }).toEqual(['timeout']);
    expect(crashes[0]!.fatal).toBe(true);
    expect(agent.status).toBe('crashed');
  });
});
