/**
 * dynamic-spawn: ms from "spawn this DynamicAgent" to its first RESULT — an engine taken on the
 * sandbox pool's shared worker (its spare, booted ahead), code loaded, setup run, actor spawned,
 * one TASK answered through ActorSystem.ask — p50 of spawns 200 ms apart (as a user or the LLM
 * creates agents: the spare engine has booted in between). Baseline: the same for a built-in actor
 * with the same handler. Goal ≤ 5 ms warm.
 *
 * dynamic-spawn-cold: the same with no spare engine (every spawn boots its engine — a wasm
 * instance, runtime and context — on the shared worker: what a burst, e.g. the registry at hub
 * start, costs per agent).
 *
 * dynamic-idle-memory: RSS growth of this process per idle DynamicAgent, 100 agents spawned (each
 * answered one task), after a GC, divided by 100. Baseline: the 1 MB goal (bench/dynamic-pool
 * measures it at 300 and 1000 agents, with threads).
 */
import { configureEnginePool } from '../src/main/agents/dynamic/sandbox/index.js';
import { BuiltinActor, SandboxActor, HANDLER_JS, benchSystem, fmt, gc, median } from './dynamic-bench-support.js';

const SPAWNS = 30;
const IDLE_AGENTS = 100;

const { system, close } = await benchSystem();
let seq = 0;

async function spawnAndAsk(kind: 'dynamic' | 'builtin'): Promise<number> {
  const name = `${kind}-${seq++}`;
  const t0 = performance.now();
  await system.spawn(kind === 'dynamic' ? new SandboxActor(name, HANDLER_JS, true) : new BuiltinActor({ name }));
  const r = await system.ask<{ sum: number }>(name, { a: 2, b: 3 }, 10_000);
  const ms = performance.now() - t0;
  if (r.sum !== 5) throw new Error(`wrong result ${JSON.stringify(r)}`);
  return ms;
}

// Warm-up: the first spawn compiles the engine's wasm module (once per process) and warms the JITs.
for (let i = 0; i < 3; i++) {
  const n = `dynamic-${seq}`;
  await spawnAndAsk('dynamic');
  await system.stop(n);
  await spawnAndAsk('builtin');
}

async function series(pauseMs: number): Promise<{ dyn: number; base: number; all: number[] }> {
  const dyn: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < SPAWNS; i++) {
    await new Promise((r) => setTimeout(r, pauseMs));
    const name = `dynamic-${seq}`;
    dyn.push(await spawnAndAsk('dynamic'));
    await system.stop(name);
    base.push(await spawnAndAsk('builtin'));
  }
  return { dyn: median(dyn), base: median(base), all: dyn };
}

const warm = await series(200);
process.stderr.write(`spawn+first RESULT (spare engine): p50 ${fmt(warm.dyn)} ms (min ${fmt(Math.min(...warm.all))}, max ${fmt(Math.max(...warm.all))}); built-in p50 ${fmt(warm.base, 3)} ms\n`);
console.log(`BENCH dynamic-spawn ${fmt(warm.dyn)} ms baseline=${fmt(warm.base, 3)} ratio=${fmt(warm.dyn / warm.base, 1)}`);

configureEnginePool({ spares: 0 });
const cold = await series(20);
process.stderr.write(`spawn+first RESULT (cold): p50 ${fmt(cold.dyn)} ms (min ${fmt(Math.min(...cold.all))}, max ${fmt(Math.max(...cold.all))}); built-in p50 ${fmt(cold.base, 3)} ms\n`);
console.log(`BENCH dynamic-spawn-cold ${fmt(cold.dyn)} ms baseline=${fmt(cold.base, 3)} ratio=${fmt(cold.dyn / cold.base, 1)}`);

// Idle memory: 100 agents alive, each has answered one task.
gc?.();
await new Promise((r) => setTimeout(r, 500));
gc?.();
const rss0 = process.memoryUsage().rss;
const names: string[] = [];
for (let i = 0; i < IDLE_AGENTS; i++) {
  const name = `idle-${i}`;
  names.push(name);
  await system.spawn(new SandboxActor(name, HANDLER_JS, true));
  await system.ask(name, { a: i, b: 1 }, 10_000);
}
await new Promise((r) => setTimeout(r, 2_000));
gc?.();
const rss1 = process.memoryUsage().rss;
const perAgent = (rss1 - rss0) / IDLE_AGENTS / (1024 * 1024);
process.stderr.write(`RSS ${fmt(rss0 / 1048576, 0)} MB → ${fmt(rss1 / 1048576, 0)} MB with ${IDLE_AGENTS} idle agents\n`);
console.log(`BENCH dynamic-idle-memory ${fmt(perAgent)} MB baseline=1 ratio=${fmt(perAgent)}`);

await close();
