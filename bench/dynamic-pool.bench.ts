/**
 * dynamic-pool: many DynamicAgents on the sandbox pool (each agent a SandboxActor on a real
 * ActorSystem, as the hub runs them), in one process:
 *
 * - dynamic-threads-N: OS threads of this process with N agents alive (N = 100, 300), against the
 *   same process before any agent (baseline). Goal: threads do not grow with agents (≤ 40 at 300).
 * - dynamic-agents-per-worker-N: agents per sandbox worker thread at N agents (baseline: 1, what
 *   the one-worker-per-agent runtime had).
 * - dynamic-idle-memory-N: RSS growth per idle agent (each answered one task), after a GC
 *   (baseline: the 1 MB goal). `WZ_POOL_1000=1` adds N = 1000 (hub goal: 1,000 agents ≤ 1.2 GB).
 * - dynamic-neighbour-delay: how long a trivial task to agent B waits while agent A, on the same
 *   shared worker, spins (p95 of 30 tries, no dedicated worker free so A stays), against B's
 *   latency with A idle (baseline). Goal: at most one CPU slice more.
 */
import { readFileSync } from 'node:fs';
import { configureEnginePool, enginePoolConfig, enginePoolStats } from '../src/main/agents/dynamic/sandbox/index.js';
import { HANDLER_JS, SandboxActor, benchSystem, fmt, gc, median } from './dynamic-bench-support.js';

const MB = 1024 * 1024;
const threads = (): number => Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);

const { system, close } = await benchSystem();
configureEnginePool({ dedicatedMax: 0 });

// Warm-up: the wasm module compiled, one shared worker started.
await system.spawn(new SandboxActor('warm', HANDLER_JS, true));
await system.ask('warm', { a: 1, b: 1 }, 10_000);
await system.stop('warm');

gc?.();
await new Promise((r) => setTimeout(r, 300));
gc?.();
const threads0 = threads();
const rss0 = process.memoryUsage().rss;
let spawned = 0;
const sizes = [100, 300, ...(process.env.WZ_POOL_1000 ? [1000] : [])];
for (const n of sizes) {
  const t0 = performance.now();
  for (; spawned < n; spawned++) {
    const name = `idle-${spawned}`;
    await system.spawn(new SandboxActor(name, HANDLER_JS, true));
    await system.ask(name, { a: spawned, b: 1 }, 30_000);
  }
  const spawnMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 1_000));
  gc?.();
  const rss = process.memoryUsage().rss;
  const stats = enginePoolStats();
  const workers = stats.sharedWorkers + stats.dedicatedWorkers;
  process.stderr.write(`${n} agents: ${threads()} threads (${threads0} before), ${workers} sandbox worker(s), RSS ${fmt(rss / MB, 0)} MB (${fmt(rss0 / MB, 0)} MB before); last spawns ${fmt(spawnMs / (n - (sizes[sizes.indexOf(n) - 1] ?? 0)), 2)} ms each\n`);
  console.log(`BENCH dynamic-threads-${n} ${threads()} threads baseline=${threads0} ratio=${fmt(threads() / threads0)}`);
  console.log(`BENCH dynamic-agents-per-worker-${n} ${fmt(stats.agents / workers, 0)} agents baseline=1 ratio=${fmt(stats.agents / workers, 0)}`);
  console.log(`BENCH dynamic-idle-memory-${n} ${fmt((rss - rss0) / n / MB)} MB baseline=1 ratio=${fmt((rss - rss0) / n / MB)}`);
}

// A neighbour's task while a spinner runs on the same worker.
configureEnginePool({ sharedMax: 1 });
await system.spawn(new SandboxActor('spinner', `export async function handleTask(agent, p) { if (p.spin) for (;;) {} return p.a + p.b }`, true));
await system.spawn(new SandboxActor('neighbour', HANDLER_JS, true));
const latency = async (): Promise<number> => {
  const t = performance.now();
  await system.ask('neighbour', { a: 1, b: 2 }, 30_000);
  return performance.now() - t;
};
const quiet: number[] = [];
const busy: number[] = [];
for (let i = 0; i < 30; i++) {
  quiet.push(await latency());
  const spin = system.ask('spinner', { spin: true }, 30_000).catch(() => undefined);
  // Let the spinner's call reach the worker first, then ask the neighbour.
  await new Promise((r) => setTimeout(r, 2));
  busy.push(await latency());
  await spin;
}
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;
process.stderr.write(`neighbour latency: quiet p50 ${fmt(median(quiet))} ms p95 ${fmt(p95(quiet))}; beside a spinner p50 ${fmt(median(busy))} ms p95 ${fmt(p95(busy))}; slice ${enginePoolConfig().sliceMs} ms\n`);
console.log(`BENCH dynamic-neighbour-delay ${fmt(p95(busy))} ms baseline=${fmt(p95(quiet))} ratio=${fmt(p95(busy) / p95(quiet), 1)}`);

await close();
