/**
 * The runtime's lifecycle and the agent API end to end: setup/handleTask/process/cleanup, state
 * kept across restart and hot-swap, refused swaps, TypeScript, snake_case, and every `agent.*`
 * door going through the host.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { closeEnginePool, configureEnginePool } from './index.js';
import { agentSpawner, expectSandboxError } from './testing/sandbox-agents.js';
import { LocalTopicBus, RecordingHost } from './testing/recording-host.js';
import { waitUntil } from '../../../testing/wait.js';

const { spawn, terminateAll } = agentSpawner('life', { limits: { callTimeoutMs: 5_000 } });
afterAll(async () => {
  await terminateAll();
});

const COUNTER = `
export async function setup(agent) { agent.state.version = 1; agent.state.count ??= 0; }
export async function handleTask(agent, payload) { agent.state.count += payload.add; return { version: 1, count: agent.state.count }; }
`;

describe('lifecycle', () => {
  it('runs setup then tasks, and saves the state after each change', async () => {
    const host = new RecordingHost();
    const agent = await spawn(COUNTER, { host, initialState: { count: 10 } });
    expect(agent.exports).toEqual({ setup: true, handleTask: true, process: false, cleanup: false });
    await agent.setup();
    expect(agent.status).toBe('running');
    expect(await agent.handleTask({ add: 5 })).toEqual({ version: 1, count: 15 });
    expect(host.lastState).toEqual({ version: 1, count: 15 });
    expect(agent.state).toEqual({ version: 1, count: 15 });
  });

  it("accepts the original's snake_case handle_task", async () => {
    const agent = await spawn(`export function handle_task(agent, payload) { return { got: payload, name: agent.name } }`, { name: 'snake' });
    expect(agent.exports.handleTask).toBe(true);
    expect(await agent.handleTask({ x: 1 })).toEqual({ got: { x: 1 }, name: 'snake' });
  });

  it('accepts a default-exported object of hooks', async () => {
    const agent = await spawn(`export default { async handleTask(agent, p) { return p * 3 } }`);
    expect(await agent.handleTask(7)).toBe(21);
  });

  it('runs TypeScript (transpiled by the hub)', async () => {
    const agent = await spawn(
      `interface Reading { celsius: number }
       const toF = (c: number): number => c * 9 / 5 + 32;
       export async function handleTask(agent: Agent, payload: Reading): Promise<{ fahrenheit: number }> {
         return { fahrenheit: toF(payload.celsius) };
       }`,
      { language: 'typescript' },
    );
    expect(await agent.handleTask({ celsius: 100 })).toEqual({ fahrenheit: 212 });
  });

  it("a TypeScript agent's errors name the line of its source, not of the transpiled code", async () => {
    const agent = await spawn(
      `interface Reading {\n  celsius: number;\n}\ntype Unit = 'C' | 'F';\n\nexport async function handleTask(agent: Agent, p: Reading) {\n  const unit: Unit = 'C';\n  if (p.celsius > 100) throw new RangeError('too hot in ' + unit);\n  return p.celsius;\n}`,
      { language: 'typescript' },
    );
    const err = await expectSandboxError(agent.handleTask({ celsius: 150 }));
    expect(err.message).toMatch(/RangeError: too hot in C \(agent\.ts:8:\d+\)/);
    expect(err.detail.stack).toMatch(/agent\.ts:8:/);
  });

  it('refuses TypeScript with a syntax error: bad_code with line and column', async () => {
    const err = await expectSandboxError(spawn(`export async function handleTask(agent: Agent, p) {\n  return p +;\n}`, { language: 'typescript' }));
    expect(err.kind).toBe('bad_code');
    expect(err.diagnostics[0]).toMatchObject({ line: 2, severity: 'error' });
  });

  it('refuses JavaScript that does not parse: bad_code with the line', async () => {
    const err = await expectSandboxError(spawn(`export async function handleTask(agent, p) {\n  return p +;\n}`));
    expect(err.kind).toBe('bad_code');
    expect(err.diagnostics[0]?.line).toBe(2);
    expect(err.message).toMatch(/line 2/);
  });

  it('refuses a module without any hook, and a hook that is not a function', async () => {
    expect((await expectSandboxError(spawn(`export const x = 1;`))).message).toMatch(/at least one of/);
    expect((await expectSandboxError(spawn(`export const handleTask = 42;`))).message).toMatch(/must be a function/);
  });

  it('a throw at the top level of the module is bad_code', async () => {
    const err = await expectSandboxError(spawn(`throw new Error('top-level boom');\nexport function handleTask() {}`));
    expect(err.kind).toBe('bad_code');
    expect(err.message).toMatch(/top-level boom/);
  });

  it('imports only the modules provided for the agent', async () => {
    const modules = { 'tiny-slug': `export const slugify = (s) => s.trim().toLowerCase().replace(/\\s+/g, '-');` };
    const agent = await spawn(`import { slugify } from 'tiny-slug';\nexport async function handleTask(agent, p) { return slugify(p) }`, { modules });
    expect(await agent.handleTask('  Living Room Lamp ')).toBe('living-room-lamp');
    const err = await expectSandboxError(spawn(`import { x } from 'not-installed';\nexport async function handleTask() { return x }`));
    expect(err.kind).toBe('bad_code');
    expect(err.message).toMatch(/not-installed/);
  });

  it('an agent without handleTask says so when given a task', async () => {
    const agent = await spawn(`export async function setup() {}`);
    expect((await expectSandboxError(agent.handleTask({}))).message).toMatch(/no handleTask/);
  });

  it('calls process in a loop, agent.interval apart, until stopped', async () => {
    // The loop's timer runs on virtual time (the engine's worker answers in real time).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const agent = await spawn(`
        export async function setup(agent) { agent.interval = 0.05; agent.state.ticks = 0; }
        export async function process(agent) { agent.state.ticks++; }
        export async function handleTask(agent) { return agent.state.ticks; }`);
      await agent.setup();
      expect(agent.intervalSeconds).toBe(0.05);
      agent.startProcessLoop();
      await waitUntil(() => (agent.state.ticks as number) >= 3, 'three ticks', 10_000);
      agent.stopProcessLoop();
      const ticks = agent.state.ticks as number;
      // The engine answers calls in order: a task answered means any tick started before it is done.
      await agent.handleTask(null);
      await vi.advanceTimersByTimeAsync(300); // a loop still scheduled would tick now…
      await agent.handleTask(null); // …and be done by this answer
      expect(agent.state.ticks).toBeLessThanOrEqual(ticks + 1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a failing process tick is logged and the loop goes on', async () => {
    const host = new RecordingHost();
    const agent = await spawn(
      `export async function setup(agent) { agent.interval = 0.05; agent.state.n = 0 }
       export async function process(agent) { agent.state.n++; if (agent.state.n === 1) throw new Error('first tick fails') }`,
      { host },
    );
    await agent.setup();
    agent.startProcessLoop();
    await expect.poll(() => (agent.state.n as number) >= 3, { timeout: 10_000 }).toBe(true);
    agent.stopProcessLoop();
    expect(host.logs.some((l) => l.level === 'error' && /first tick fails/.test(l.message))).toBe(true);
  });

  it('restart brings the same code back with the last state', async () => {
    const agent = await spawn(COUNTER);
    await agent.setup();
    await agent.handleTask({ add: 3 });
    await agent.restart();
    expect(await agent.handleTask({ add: 1 })).toEqual({ version: 1, count: 4 });
  });

  it('spawns the same without a spare engine, and with several', async () => {
    try {
      configureEnginePool({ spares: 0 });
      const cold = await spawn(`export function handleTask(agent, p) { return p + 1 }`);
      expect(await cold.handleTask(1)).toBe(2);
      configureEnginePool({ spares: 2 });
      const warm = await Promise.all([0, 1, 2].map(() => spawn(`export function handleTask(agent, p) { return p * 2 }`)));
      expect(await Promise.all(warm.map((a, i) => a.handleTask(i)))).toEqual([0, 2, 4]);
    } finally {
      configureEnginePool({ spares: 1 });
    }
    await closeEnginePool();
  });

  it('a new agent started with the saved state carries on (as after a hub restart)', async () => {
    const host = new RecordingHost();
    const first = await spawn(COUNTER, { host });
    await first.setup();
    await first.handleTask({ add: 7 });
    await first.terminate();
    const second = await spawn(COUNTER, { initialState: host.lastState });
    await second.setup();
    expect(await second.handleTask({ add: 1 })).toEqual({ version: 1, count: 8 });
  });
});

describe('hot-swap', () => {
  it('replaces the code, keeps the state, runs the old cleanup and drops its subscriptions', async () => {
    const bus = new LocalTopicBus();
    const host = new RecordingHost({ bus });
    const agent = await spawn(
      `export async function setup(agent) { agent.state.count ??= 0; agent.subscribe('v/in', (m) => agent.publish('v/out', { v: 1, m })) }
       export async function handleTask(agent, p) { agent.state.count += p; return { v: 1, count: agent.state.count } }
       export async function cleanup(agent) { agent.publish('v/cleanup', { v: 1 }) }`,
      { host },
    );
    await agent.setup();
    await agent.handleTask(5);
    expect(bus.subscriptionCount).toBe(1);

    await agent.hotSwap(`export async function setup(agent) { agent.subscribe('v/in', (m) => agent.publish('v/out', { v: 2, m })) }
      export async function handleTask(agent, p) { agent.state.count += p; return { v: 2, count: agent.state.count } }`);

    expect(await agent.handleTask(1)).toEqual({ v: 2, count: 6 });
    expect(host.published.filter((p) => p.topic === 'v/cleanup')).toEqual([{ topic: 'v/cleanup', payload: { v: 1 } }]);
    expect(bus.subscriptionCount).toBe(1);
    bus.publish('v/in', 'hello');
    await expect.poll(() => host.published.filter((p) => p.topic === 'v/out').map((p) => p.payload), { timeout: 5_000 }).toEqual([{ v: 2, m: 'hello' }]);
  });

  it('refuses a version that does not parse; the old one keeps running', async () => {
    const agent = await spawn(COUNTER);
    await agent.setup();
    await agent.handleTask({ add: 2 });
    const err = await expectSandboxError(agent.hotSwap(`export async function handleTask(agent, p) {\n  return {;\n}`));
    expect(err.kind).toBe('bad_code');
    expect(err.message).toMatch(/hot-swap refused, the previous version keeps running/);
    expect(err.diagnostics[0]?.line).toBe(2);
    expect(await agent.handleTask({ add: 1 })).toEqual({ version: 1, count: 3 });
  });

  it('refuses a version whose setup throws; the old one keeps running with its state and subscriptions', async () => {
    const bus = new LocalTopicBus();
    const agent = await spawn(
      `export async function setup(agent) { agent.state.count ??= 0; agent.subscribe('keep/#', () => { agent.state.heard = (agent.state.heard ?? 0) + 1 }) }
       export async function handleTask(agent, p) { agent.state.count += p; return agent.state }`,
      { host: new RecordingHost({ bus }) },
    );
    await agent.setup();
    await agent.handleTask(4);
    const err = await expectSandboxError(
      agent.hotSwap(`export async function setup(agent) { agent.state.count = -1; agent.subscribe('keep/#', () => {}); throw new Error('new setup fails') }
        export async function handleTask() { return 'new' }`),
    );
    expect(err.kind).toBe('crash');
    expect(err.message).toMatch(/setup of the new version failed.*new setup fails/);
    expect(bus.subscriptionCount).toBe(1);
    bus.publish('keep/x', 1);
    await expect.poll(() => agent.state.heard, { timeout: 5_000 }).toBe(1);
    expect(await agent.handleTask(1)).toEqual({ count: 5, heard: 1 });
  });

  it('swaps JavaScript for TypeScript', async () => {
    const agent = await spawn(COUNTER);
    await agent.setup();
    await agent.handleTask({ add: 1 });
    await agent.hotSwap(`export async function handleTask(agent: Agent, p: { add: number }) { agent.state.count += p.add * 10; return agent.state.count as number }`, 'typescript');
    expect(await agent.handleTask({ add: 1 })).toBe(11);
  });

  it('tasks sent during a swap wait for it and are answered by the new version', async () => {
    const agent = await spawn(`export async function handleTask() { return 'old' }`);
    const swap = agent.hotSwap(`export async function setup() { await new Promise((r) => setTimeout(r, 200)) } export async function handleTask() { return 'new' }`);
    const during = agent.handleTask(null);
    await swap;
    expect(await during).toBe('new');
  });
});

describe('the agent API through the host', () => {
  it('publish, subscribe (wildcards) and unsubscribe', async () => {
    const bus = new LocalTopicBus();
    const host = new RecordingHost({ bus });
    const agent = await spawn(
      `export async function setup(agent) {
         agent.state.seen = [];
         const off = agent.subscribe('home/+/temp', (payload, topic) => { agent.state.seen.push([topic, payload.c]); if (payload.c > 30) off(); });
       }
       export async function handleTask(agent) { agent.publish('home/echo', { seen: agent.state.seen.length }); return agent.state.seen }`,
      { host },
    );
    await agent.setup();
    bus.publish('home/kitchen/temp', { c: 21 });
    bus.publish('home/garage/humidity', { c: 99 });
    bus.publish('home/attic/temp', { c: 35 });
    await expect.poll(() => (agent.state.seen as unknown[]).length, { timeout: 5_000 }).toBe(2);
    bus.publish('home/kitchen/temp', { c: 22 });
    // The engine handles deliveries and calls in the order they were sent: the task comes after.
    expect(await agent.handleTask(null)).toEqual([
      ['home/kitchen/temp', 21],
      ['home/attic/temp', 35],
    ]);
    expect(host.published.at(-1)).toEqual({ topic: 'home/echo', payload: { seen: 2 } });
  });

  it('sendTo, mqttGet, persist/recall, llm, agents, topics, log, alert, console, timers and sleep', async () => {
    const bus = new LocalTopicBus();
    const host = new RecordingHost({
      bus,
      peers: { weather: (p) => ({ city: (p as { city: string }).city, celsius: 18 }) },
      llm: {
        chat: async (messages, options) => `chat:${messages.map((m) => m.content).join('|')}:${options.system ?? ''}`,
        complete: async (prompt, system) => `complete:${prompt}:${system ?? ''}`,
      },
    });
    const agent = await spawn(
      `export async function handleTask(agent, p) {
         const out = {};
         out.weather = await agent.sendTo('weather', { city: 'Lyon' }, 5);
         try { await agent.sendTo('nobody', {}) } catch (e) { out.missing = e.message }
         setTimeout(() => agent.publish('sensor/door', { open: true }), 20);
         out.next = await agent.mqttGet('sensor/#', 5);
         out.nothing = await agent.mqttGet('never/here', 0.05);
         await agent.persist('k', { deep: [1, 2] });
         out.recalled = await agent.recall('k');
         out.unknown = await agent.recall('nope');
         out.chat = await agent.llm.chat('hi', { system: 'sys' });
         out.complete = await agent.llm.complete('p', 's');
         out.agents = (await agent.agents()).map((a) => a.name);
         out.topics = (await agent.topics()).map((t) => t.topic);
         const t0 = Date.now(); await agent.sleep(0.05); out.slept = Date.now() - t0 >= 40;
         let ticks = 0; await new Promise((r) => { const id = setInterval(() => { if (++ticks === 3) { clearInterval(id); r() } }, 5) }); out.ticks = ticks;
         agent.log('a log line', 'warning'); console.error('from console', { n: 1 }); agent.alert('hot!', 'critical');
         out.env = agent.env.TOKEN; out.actorId = agent.actorId;
         return out;
       }`,
      { host, env: { TOKEN: 'declared-secret' }, actorId: 'id-123' },
    );
    expect(await agent.handleTask(null)).toEqual({
      weather: { city: 'Lyon', celsius: 18 },
      missing: 'no actor named "nobody"',
      next: { open: true },
      nothing: null,
      recalled: { deep: [1, 2] },
      chat: 'chat:hi:sys',
      complete: 'complete:p:s',
      agents: ['main'],
      topics: ['io/chat'],
      slept: true,
      ticks: 3,
      env: 'declared-secret',
      actorId: 'id-123',
    });
    expect(host.logs).toEqual(expect.arrayContaining([{ level: 'warning', message: 'a log line' }, { level: 'error', message: 'from console {"n":1}' }]));
    expect(host.alerts).toEqual([{ message: 'hot!', severity: 'critical' }]);
  });

  it('an LLM that is not configured is a clear error inside the agent', async () => {
    const agent = await spawn(`export async function handleTask(agent) { try { await agent.llm.complete('x') } catch (e) { return e.message } }`);
    expect(await agent.handleTask(null)).toMatch(/no LLM/);
  });

  it('bad arguments to the API are refused with the reason, not passed to the host', async () => {
    const host = new RecordingHost();
    const agent = await spawn(
      `export async function handleTask(agent) {
         const errors = [];
         for (const f of [() => agent.publish('', 1), () => agent.subscribe('t', 'not a function'), () => agent.sendTo('x', {}, -1)]) { try { await f() } catch (e) { errors.push(e.message) } }
         try { await agent.llm.chat([{ role: 'wizard', content: 1 }]) } catch (e) { errors.push(e.message) }
         return errors;
       }`,
      { host },
    );
    const errors = (await agent.handleTask(null)) as string[];
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/topic/);
    expect(errors[1]).toMatch(/callback must be a function/);
    expect(errors[2]).toMatch(/seconds/);
    expect(errors[3]).toMatch(/invalid arguments/);
    expect(host.published).toEqual([]);
  });

  it('results must be JSON: a clear error otherwise', async () => {
    const agent = await spawn(`export async function handleTask() { const a = {}; a.self = a; return a }`);
    expect((await expectSandboxError(agent.handleTask(null))).message).toMatch(/not JSON/);
  });
});
