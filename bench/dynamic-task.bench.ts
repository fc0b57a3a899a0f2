/**
 * dynamic-task: round-trip tasks/s to one DynamicAgent through ActorSystem.ask (TASK in, RESULT
 * out, 256 asks in flight) against the same handler — `async handleTask(payload) { return … }`,
 * as agent modules write it — in a built-in actor, same asks, same run: the price of isolation.
 *
 * dynamic-task-vs-sync: the same DynamicAgent against a built-in actor whose handler is the
 * synchronous version (the core runs those in batches without holding its loop): the harder
 * comparison. The DynamicAgent hands each TASK to its sandbox without holding its
 * loop, so tasks pipeline: the runtime sends everything asked in one tick to the worker as one
 * message and the worker answers in batches. Target ratio ≥ 0.3.
 *
 * dynamic-task-serial: the same, but the actor awaits each task before taking the next (one
 * worker round trip per task: the latency-bound case).
 *
 * dynamic-task-serial-floor: what no worker-hosted agent can beat — a bare worker thread that
 * echoes one message at a time, awaited one by one (two thread wake-ups and nothing else), in the
 * same run; the line after it says how close the serial DynamicAgent comes to it. On an idle
 * machine the wake-ups dominate (the cores sleep between round trips), so both fall together.
 *
 * dynamic-task-serial-engine-alone: the agent's engine by itself, on this thread — no worker, actor
 * or bus; each call in the form the hub sends a lone call, run to its result (engine-alone.ts) —
 * against the built-in actor, as for dynamic-task-serial, same run. What a task costs the engine
 * alone bounds the one-at-a-time ratio of any placement of it, the hub's own thread included.
 *
 * Runs alternate (built-in, then dynamic) so both see the same machine load; the figures are
 * medians of the runs, the ratio the median of each back-to-back pair's ratio.
 */
import { Worker } from 'node:worker_threads';
import { engineAlone } from './engine-alone.js';
import { BuiltinActor, BuiltinSyncActor, SandboxActor, HANDLER_JS, benchSystem, fmt, gc, median } from './dynamic-bench-support.js';

const TASKS = 20_000;
const SERIAL_TASKS = 3_000;
const WINDOW = 256;
const RUNS = 5;

const { system, close } = await benchSystem();
await system.spawn(new BuiltinActor({ name: 'builtin' }));
await system.spawn(new BuiltinSyncActor({ name: 'builtin-sync' }));
await system.spawn(new SandboxActor('dynamic', HANDLER_JS, true));
await system.spawn(new SandboxActor('dynamic-serial', HANDLER_JS, false));

const ECHO_NAME = 'bare-worker-echo';
const ECHO = new Worker(`require('node:worker_threads').parentPort.on('message', (m) => require('node:worker_threads').parentPort.postMessage(m))`, { eval: true });

const ENGINE_ALONE_NAME = 'engine-alone';
const ENGINE = await engineAlone(HANDLER_JS);

/** Calls/s to the engine alone, one after another (nothing awaited: nothing to wait for). */
function engineAloneRate(count: number): number {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const r = ENGINE.call({ a: i, b: 1 }) as { sum: number };
    if (r.sum !== i + 1) throw new Error(`wrong result for ${i}: ${JSON.stringify(r)}`);
  }
  return count / ((performance.now() - t0) / 1000);
}

/** Round trips/s to the bare echo worker, each awaited before the next. */
async function echoRate(count: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await new Promise((resolve) => { ECHO.once('message', resolve); ECHO.postMessage({ a: i, b: 1 }); });
  return count / ((performance.now() - t0) / 1000);
}

/** tasks/s for `count` asks to `name`, at most WINDOW in flight. */
async function rate(name: string, count: number): Promise<number> {
  if (name === ECHO_NAME) return echoRate(count);
  if (name === ENGINE_ALONE_NAME) return engineAloneRate(count);
  let sent = 0;
  let done = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const next = (): void => {
      while (sent < count && sent - done < WINDOW) {
        const i = sent++;
        system.ask<{ sum: number }>(name, { a: i, b: 1 }, 30_000).then((r) => {
          if (r.sum !== i + 1) return reject(new Error(`wrong result for ${i}: ${JSON.stringify(r)}`));
          if (++done === count) resolve();
          else next();
        }, reject);
      }
    };
    next();
  });
  return count / ((performance.now() - t0) / 1000);
}

async function pair(label: string, name: string, count: number, baseline = 'builtin'): Promise<{ dyn: number; base: number; ratio: number }> {
  await rate(baseline, count);
  await rate(name, count);
  const d: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    gc?.();
    b.push(await rate(baseline, count));
    gc?.();
    d.push(await rate(name, count));
  }
  const k = (xs: number[]) => xs.map((x) => fmt(x / 1000, 1)).join(', ');
  process.stderr.write(`${label}: dynamic [${k(d)}] k/s, ${baseline} [${k(b)}] k/s\n`);
  return { dyn: median(d), base: median(b), ratio: median(d.map((x, i) => x / b[i]!)) };
}

const piped = await pair('pipelined', 'dynamic', TASKS);
console.log(`BENCH dynamic-task ${fmt(piped.dyn, 0)} tasks/s baseline=${fmt(piped.base, 0)} ratio=${fmt(piped.ratio, 3)}`);
const vsSync = await pair('pipelined vs sync built-in', 'dynamic', TASKS, 'builtin-sync');
console.log(`BENCH dynamic-task-vs-sync ${fmt(vsSync.dyn, 0)} tasks/s baseline=${fmt(vsSync.base, 0)} ratio=${fmt(vsSync.ratio, 3)}`);
const serial = await pair('serial', 'dynamic-serial', SERIAL_TASKS);
console.log(`BENCH dynamic-task-serial ${fmt(serial.dyn, 0)} tasks/s baseline=${fmt(serial.base, 0)} ratio=${fmt(serial.ratio, 3)}`);
const floor = await pair('bare worker echo', ECHO_NAME, SERIAL_TASKS);
console.log(`BENCH dynamic-task-serial-floor ${fmt(floor.dyn, 0)} round-trips/s baseline=${fmt(floor.base, 0)} ratio=${fmt(floor.ratio, 3)}`);
const vsFloor = await pair('serial vs bare worker echo', 'dynamic-serial', SERIAL_TASKS, ECHO_NAME);
console.log(`BENCH dynamic-task-serial-vs-floor ${fmt(vsFloor.dyn, 0)} tasks/s baseline=${fmt(vsFloor.base, 0)} ratio=${fmt(vsFloor.ratio, 3)}`);
const alone = await pair('engine alone, one call at a time', ENGINE_ALONE_NAME, SERIAL_TASKS);
console.log(`BENCH dynamic-task-serial-engine-alone ${fmt(alone.dyn, 0)} calls/s baseline=${fmt(alone.base, 0)} ratio=${fmt(alone.ratio, 3)}`);
await ECHO.terminate();
ENGINE.close();

await close();
