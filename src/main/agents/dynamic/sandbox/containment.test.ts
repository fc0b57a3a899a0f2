/**
 * Containment: what generated code can do wrong (spin, eat memory, throw, reject, flood) stops that
 * agent alone — the call gets a typed error, the hub's event loop keeps turning, and the agent can
 * be restarted.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureEnginePool, enginePoolConfig, SandboxError } from './index.js';
import { agentSpawner, expectSandboxError } from './testing/sandbox-agents.js';
import { RecordingHost } from './testing/recording-host.js';
import { waitUntil } from '../../../testing/wait.js';

const { spawn, terminateAll } = agentSpawner('contain', { limits: { callTimeoutMs: 1_500, memoryMb: 32 } });
// This file keeps many misbehaving agents alive at once; every spinner earns a worker of its own.
const dedicatedMax = enginePoolConfig().dedicatedMax;
beforeAll(() => configureEnginePool({ dedicatedMax: 32 }));
afterAll(async () => {
  await terminateAll();
  configureEnginePool({ dedicatedMax });
});

/** Counts ticks of a 20 ms interval on the hub's event loop while it runs. */
function heartbeat(): { stop(): number } {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return ticks;
    },
  };
}

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => void unhandled.push(e);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe('containment', () => {
  it('an endless loop in handleTask: timeout ERROR, the hub keeps turning, the agent answers the next task', async () => {
    const agent = await spawn(`export async function handleTask(agent, p) { if (p === 'spin') { while (true) {} } return 'ok:' + p }`);
    await agent.setup();
    const beat = heartbeat();
    const err = await expectSandboxError(agent.handleTask('spin'));
    const ticks = beat.stop();
    expect(err.kind).toBe('timeout');
    expect(err.fatal).toBe(false);
    expect(err.message).toMatch(/1500 ms/);
    // The call lasted ~1.5 s: a hub blocked by the loop would have ticked at most once or twice.
    expect(ticks).toBeGreaterThan(10);
    expect(await agent.handleTask('after')).toBe('ok:after');
  });

  it('an awaited promise that never settles: timeout ERROR, the agent lives on', async () => {
    const agent = await spawn(`export async function handleTask(agent, p) { if (p === 'hang') await new Promise(() => {}); return p }`);
    const err = await expectSandboxError(agent.handleTask('hang'));
    expect(err.kind).toBe('timeout');
    expect(await agent.handleTask('next')).toBe('next');
  });

  it('an endless loop in setup: setup times out; a fixed version can be swapped in', async () => {
    const agent = await spawn(`export async function setup() { for (;;) {} } export async function handleTask() { return 'old' }`);
    const beat = heartbeat();
    const err = await expectSandboxError(agent.setup());
    expect(beat.stop()).toBeGreaterThan(10);
    expect(err.kind).toBe('timeout');
    await agent.hotSwap(`export async function setup(agent) { agent.state.fixed = true } export async function handleTask() { return 'fixed' }`);
    expect(await agent.handleTask(null)).toBe('fixed');
    expect(agent.status).toBe('running');
  });

  it('restart after a throw or an endless loop in setup: the agent comes back (its state tells setup it already failed)', async () => {
    const agent = await spawn(`
      export async function setup(agent) {
        agent.state.boots = (agent.state.boots ?? 0) + 1;
        if (agent.state.boots === 1) throw new Error('first boot fails');
        if (agent.state.boots === 2) for (;;) {}
      }
      export async function handleTask(agent) { return agent.state.boots }`);
    expect((await expectSandboxError(agent.setup())).kind).toBe('crash');
    expect((await expectSandboxError(agent.restart())).kind).toBe('timeout');
    await agent.restart();
    expect(agent.status).toBe('running');
    expect(await agent.handleTask(null)).toBe(3);
  });

  it('several agents spinning at once leave the hub responsive', async () => {
    const spinners = await Promise.all([0, 1, 2].map(() => spawn(`export async function handleTask() { while (true) {} }`)));
    const beat = heartbeat();
    const errors = await Promise.all(spinners.map((a) => expectSandboxError(a.handleTask(null))));
    expect(beat.stop()).toBeGreaterThan(10);
    expect(errors.map((e) => e.kind)).toEqual(['timeout', 'timeout', 'timeout']);
  });

  it('a memory bomb: out_of_memory, the agent is down and reported, and restarts', async () => {
    const agent = await spawn(`
      export async function setup(agent) { agent.state.started = (agent.state.started ?? 0) + 1 }
      export async function handleTask(agent, p) {
        if (p === 'bomb') { const hog = []; for (;;) hog.push(new Array(100000).fill(hog.length)); }
        return 'alive';
      }`);
    await agent.setup();
    const crashes: SandboxError[] = [];
    agent.onCrash((e) => crashes.push(e));
    const err = await expectSandboxError(agent.handleTask('bomb'));
    expect(err.kind).toBe('out_of_memory');
    expect(err.fatal).toBe(true);
    expect(crashes.map((c) => c.kind)).toEqual(['out_of_memory']);
    expect(agent.status).toBe('crashed');
    const down = await expectSandboxError(agent.handleTask('x'));
    expect(down.fatal).toBe(true);
    await agent.restart();
    expect(await agent.handleTask('x')).toBe('alive');
    expect(agent.state).toEqual({ started: 2 });
  });

  it('a memory bomb of one big string is caught the same way', async () => {
    const agent = await spawn(`export async function handleTask() { let s = 'x'; for (;;) s = [s, s].join(''); }`);
    const err = await expectSandboxError(agent.handleTask(null));
    expect(err.kind).toBe('out_of_memory');
  });

  it('a throw in setup: crash ERROR with the message and the line, not fatal', async () => {
    const agent = await spawn(`export async function setup(agent) {\n  const x = 1;\n  throw new Error('boom in setup');\n}\nexport async function handleTask() { return 1 }`);
    const err = await expectSandboxError(agent.setup());
    expect(err.kind).toBe('crash');
    expect(err.fatal).toBe(false);
    expect(err.message).toMatch(/boom in setup/);
    expect(err.message).toMatch(/agent\.js:3:/);
    expect(agent.status).toBe('loaded');
  });

  it('a throw in handleTask fails that task only', async () => {
    const agent = await spawn(`export async function handleTask(agent, p) { if (p.fail) throw new TypeError('bad payload'); return p.n * 2 }`);
    const err = await expectSandboxError(agent.handleTask({ fail: true }));
    expect(err.kind).toBe('crash');
    expect(err.message).toMatch(/TypeError: bad payload/);
    expect(await agent.handleTask({ n: 21 })).toBe(42);
  });

  it('unhandled rejections stay inside the agent: nothing reaches the hub process', async () => {
    const agent = await spawn(`
      export async function setup() { Promise.reject(new Error('nobody listens')); }
      export async function handleTask() { Promise.reject(new Error('again')); (async () => { throw new Error('async throw') })(); return 'fine' }`);
    await agent.setup();
    expect(await agent.handleTask(null)).toBe('fine');
    // Node reports unhandled rejections when the microtask queue drains after a macrotask: one
    // full event-loop turn after the answer (which came after the agent's code ran) is enough.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(unhandled).toEqual([]);
  });

  it('deep recursion is a catchable error inside the agent, not a crash of its engine', async () => {
    const agent = await spawn(`
      export async function handleTask(agent, p) {
        if (p === 'recurse') { const f = (n) => f(n + 1) + 1; try { f(0) } catch (e) { return 'caught ' + e.message } }
        if (p === 'json') { let s = '1'; s = '['.repeat(100000) + s + ']'.repeat(100000); try { JSON.parse(s); return 'parsed' } catch (e) { return 'caught ' + e.message } }
        if (p === 'uncaught') { const g = () => g(); g() }
        return 'ok';
      }`);
    expect(await agent.handleTask('recurse')).toMatch(/caught .*stack/i);
    expect(await agent.handleTask('json')).toMatch(/caught|parsed/);
    const err = await expectSandboxError(agent.handleTask('uncaught'));
    expect(err.fatal).toBe(false);
    expect(await agent.handleTask('again')).toBe('ok');
  });

  it('an endless loop in a subscription callback is logged; the agent keeps working', async () => {
    const host = new RecordingHost();
    const agent = await spawn(
      `export async function setup(agent) { agent.subscribe('spin/now', () => { while (true) {} }) }
       export async function handleTask(agent, p) { return p }`,
      { host },
    );
    await agent.setup();
    host.bus.publish('spin/now', {});
    await expect.poll(() => host.logs.some((l) => l.level === 'error' && /interrupted/.test(l.message)), { timeout: 10_000 }).toBe(true);
    expect(await agent.handleTask('still here')).toBe('still here');
  });

  it('a publish flood is cut off: the call fails and the hub got a bounded number of messages', async () => {
    const host = new RecordingHost();
    const agent = await spawn(`export async function handleTask(agent) { for (let i = 0; ; i++) agent.publish('flood', i) }`, { host });
    const err = await expectSandboxError(agent.handleTask(null));
    expect(err.message).toMatch(/too many messages/);
    expect(host.published.length).toBeLessThanOrEqual(10_000);
  });

  it('a sustained publish flood across timer slices is throttled, and said so', async () => {
    const host = new RecordingHost();
    const agent = await spawn(
      `export async function handleTask(agent) {
         let slices = 0;
         await new Promise((done) => { const id = setInterval(() => { for (let i = 0; i < 5000; i++) agent.publish('flood', i); if (++slices === 6) { clearInterval(id); done() } }, 1) });
         return 'sent 30000';
       }`,
      { host, limits: { callTimeoutMs: 10_000 } },
    );
    // 5 000 publishes in one timer callback can take longer than a shared worker's CPU slice: then the
    // turn is rolled back, the agent moves to a worker of its own and that call fails clearly (it had
    // started in an earlier turn, so it cannot be replayed). The call after it is throttled there.
    const first = await agent.handleTask(null).catch((e: unknown) => e);
    if (first instanceof SandboxError) {
      expect(first.message).toMatch(/CPU slice on a shared worker.*moved/);
      await expect.poll(() => agent.placement?.kind, { timeout: 10_000 }).toBe('dedicated');
      host.published.length = 0;
      expect(await agent.handleTask(null)).toBe('sent 30000');
    } else expect(first).toBe('sent 30000');
    expect(host.published.length).toBeLessThan(30_000);
    expect(host.logs.some((l) => /sends too fast/.test(l.message))).toBe(true);
  });

  it('an engine killed from outside is a fatal crash, reported once; restart recovers', async () => {
    const agent = await spawn(`export async function setup(agent) { agent.state.boots = (agent.state.boots ?? 0) + 1 } export async function handleTask(agent) { return agent.state.boots }`);
    await agent.setup();
    const crashes: SandboxError[] = [];
    agent.onCrash((e) => crashes.push(e));
    // What an OS-level kill of the thread looks like to the runtime.
    await (agent as unknown as { current: { worker: { terminate(): Promise<number> } } }).current.worker.terminate();
    await expect.poll(() => crashes.length, { timeout: 5_000 }).toBe(1);
    expect(crashes[0]!.kind).toBe('crash');
    expect(agent.status).toBe('crashed');
    expect((await expectSandboxError(agent.handleTask(null))).fatal).toBe(true);
    await agent.restart();
    expect(await agent.handleTask(null)).toBe(2);
  });

  it('terminate stops the agent: calls in flight and later calls get `stopped`', async () => {
    const host = new RecordingHost();
    const agent = await spawn(`export async function handleTask(agent, p) { agent.log('in the call'); await new Promise(() => {}) }`, { host });
    const inFlight = agent.handleTask(null);
    await waitUntil(() => host.logs.some((l) => l.message === 'in the call'), 'the call running in the engine', 10_000);
    await agent.terminate();
    expect((await expectSandboxError(inFlight)).kind).toBe('stopped');
    expect((await expectSandboxError(agent.handleTask(null))).kind).toBe('stopped');
    expect(agent.status).toBe('terminated');
  });

  it('limits are per agent: a tight memory cap fails where the default passes', async () => {
    const code = `export async function handleTask() { const a = []; for (let i = 0; i < 200000; i++) a.push({ i, s: 'item' + i }); return a.length }`;
    const roomy = await spawn(code, { limits: { memoryMb: 128, callTimeoutMs: 10_000 } });
    const tight = await spawn(code, { limits: { memoryMb: 8, callTimeoutMs: 10_000 } });
    expect(await roomy.handleTask(null)).toBe(200000);
    expect((await expectSandboxError(tight.handleTask(null))).kind).toBe('out_of_memory');
  });
});
