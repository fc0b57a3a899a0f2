/**
 * scale: many DynamicAgents on a real hub (startWactorz: SQLite, embedded broker, REST), created
 * through the REST API as a user's scripts or the dashboard would. For N = 100 and 300 (1000 with
 * `WZ_SCALE_1000=1`), each figure against a baseline measured in the same run:
 *
 * - scale-rss-per-agent-N: hub RSS growth per agent (MB); baseline: the 1 MB goal (the hub's RSS
 *   with no agent is printed on stderr). Goal for 1000: the whole hub ≤ 1.2 GB.
 * - scale-threads-N: the hub process's OS threads with N agents; baseline: the same hub with none.
 * - scale-spawn-rate-N: agents created per second (POST /agents, 8 at a time); baseline: requests
 *   per second of GET /health on the same hub, same concurrency (the HTTP floor).
 * - scale-restart-N: ms from starting the hub again on the same state dir until every agent has
 *   answered a task over REST; baseline: the same for a hub with no agents (until /health answers).
 *   Goal for 300: ≤ 5 s.
 * - scale-restore-N: the same restart, the hub's restore (a window of 256 agents at a time, in the
 *   background, the hub serving meanwhile: agents/dynamic/restore-queue.ts); baseline: the path
 *   before it, measured in the same run on the same state dir (every agent started at once, the
 *   hub's start waiting for them). stderr also has the hub's peak RSS during each restart against
 *   its RSS once all answer (the goal: no spike over the steady state), when GET /health first
 *   answered, and the hub's CPU time (all threads) for each — on a loaded machine the wall time
 *   follows the CPU share the hub gets, the CPU time much less.
 *
 * The hub runs in this process (RSS and threads are the hub's own).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWactorz } from '../src/main/wactorz.js';
import { silentLogger } from '../src/main/base/logger.js';
import { enginePoolStats } from '../src/main/agents/dynamic/sandbox/index.js';
import { HANDLER_JS, fmt, gc } from './dynamic-bench-support.js';

const MB = 1024 * 1024;
const CONCURRENCY = 8;
const threads = (): number => Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);
type RestoreMode = { concurrency?: number; background?: boolean };
/** The path before the restore queue: every agent at once, the hub's start waiting for them. */
const ALL_AT_ONCE: RestoreMode = { concurrency: Infinity, background: false };
const start = (stateDir: string, restore?: RestoreMode) =>
  startWactorz({ stateDir, llm: { provider: 'none' }, interface: 'rest', restPort: 0, monitorPort: null, mqtt: { port: 0 } }, { log: silentLogger, env: {}, restore });

/** Runs `n` jobs, `CONCURRENCY` at a time; resolves with the elapsed ms. */
async function pool(n: number, job: (i: number) => Promise<void>, concurrency = CONCURRENCY): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await job(next++);
    }),
  );
  return performance.now() - t0;
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function answersTask(restUrl: string, name: string, deadline: number, answered: () => void = () => undefined): Promise<void> {
  for (;;) {
    const res = await post(`${restUrl}/agents/${name}/tasks`, { payload: { a: 1, b: 2 }, timeout_ms: 5_000 }).catch(() => undefined);
    if (res?.ok && ((await res.json()) as { result?: { sum?: number } }).result?.sum === 3) return answered();
    if (Date.now() > deadline) throw new Error(`${name} did not answer after the restart`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Restart {
  /** ms until every agent answered (or /health, with none). */
  ms: number;
  /** ms until the first agent answered. */
  firstMs: number;
  /** OS threads of the hub once every agent answered, and its shared sandbox workers. */
  threads: number;
  sharedWorkers: number;
  /** ms until GET /health first answered. */
  healthMs: number;
  peakMb: number;
  steadyMb: number;
  /** CPU time of the hub process (every thread) from start until every agent answered. */
  cpuMs: number;
}

async function restartTime(stateDir: string, names: string[], restore?: RestoreMode): Promise<Restart> {
  gc?.();
  let peak = process.memoryUsage.rss();
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const hub = await start(stateDir, restore);
  try {
    await fetch(`${hub.restUrl}/health`);
    const healthMs = performance.now() - t0;
    const deadline = Date.now() + 300_000;
    let firstMs = 0;
    const answered = (): void => void (firstMs ||= performance.now() - t0);
    if (names.length) await pool(names.length, (i) => answersTask(hub.restUrl!, names[i]!, deadline, answered), 32);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sample);
    const after = { threads: threads(), sharedWorkers: enginePoolStats().sharedWorkers };
    gc?.();
    return { ms, firstMs, ...after, healthMs, peakMb: peak / MB, steadyMb: process.memoryUsage().rss / MB, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    clearInterval(sample);
    await hub.stop();
  }
}

/** The median of each figure over the rounds (the RSS peak: the highest). */
function medianRestart(rs: Restart[]): Restart {
  const med = (f: (r: Restart) => number): number => rs.map(f).sort((a, b) => a - b)[Math.floor(rs.length / 2)]!;
  return { ms: med((r) => r.ms), firstMs: med((r) => r.firstMs), threads: med((r) => r.threads), sharedWorkers: med((r) => r.sharedWorkers), healthMs: med((r) => r.healthMs), peakMb: Math.max(...rs.map((r) => r.peakMb)), steadyMb: med((r) => r.steadyMb), cpuMs: med((r) => r.cpuMs) };
}

const describeRestart = (r: Restart): string =>
  `${fmt(r.ms, 0)} ms (CPU ${fmt(r.cpuMs, 0)} ms; GET /health after ${fmt(r.healthMs, 0)} ms, the first agent after ${fmt(r.firstMs, 0)} ms; RSS peak ${fmt(r.peakMb, 0)} MB, ${fmt(r.steadyMb, 0)} MB once all answered; ${r.threads} threads, ${r.sharedWorkers} shared sandbox workers)`;

const sizes = [100, 300, ...(process.env.WZ_SCALE_1000 ? [1000] : [])];
const emptyDir = mkdtempSync(join(tmpdir(), 'wz-bench-scale-empty-'));
const dir = mkdtempSync(join(tmpdir(), 'wz-bench-scale-'));
try {
  const emptyRestart = await restartTime(emptyDir, []);
  const hub = await start(dir);
  const names: string[] = [];
  try {
    // Warm-up: wasm compiled, TypeScript's checker loaded, one agent through every path.
    const warm = await post(`${hub.restUrl}/agents`, { name: 'warm', code: HANDLER_JS });
    if (warm.status !== 201) throw new Error(`create failed: ${warm.status} ${await warm.text()}`);
    await fetch(`${hub.restUrl}/agents/warm`, { method: 'DELETE' });
    gc?.();
    await new Promise((r) => setTimeout(r, 500));
    gc?.();
    const rss0 = process.memoryUsage().rss;
    const threads0 = threads();
    process.stderr.write(`hub with no agent: RSS ${fmt(rss0 / MB, 0)} MB, ${threads0} threads; restart ${fmt(emptyRestart.ms, 0)} ms\n`);
    for (const n of sizes) {
      const from = names.length;
      const spawnMs = await pool(n - from, async (i) => {
        const name = `scale-${from + i}`;
        const res = await post(`${hub.restUrl}/agents`, { name, code: HANDLER_JS });
        if (res.status !== 201) throw new Error(`create ${name} failed: ${res.status} ${await res.text()}`);
        names.push(name);
      });
      const healthMs = await pool(n - from, async () => void (await (await fetch(`${hub.restUrl}/health`)).text()));
      await new Promise((r) => setTimeout(r, 1_000));
      gc?.();
      const rss = process.memoryUsage().rss;
      const perAgent = (rss - rss0) / n / MB;
      const rate = ((n - from) / spawnMs) * 1000;
      const healthRate = ((n - from) / healthMs) * 1000;
      process.stderr.write(`${n} agents: RSS ${fmt(rss / MB, 0)} MB (${fmt(perAgent)} MB/agent), ${threads()} threads, ${fmt(rate, 1)} creates/s (GET /health ${fmt(healthRate, 0)}/s)\n`);
      console.log(`BENCH scale-rss-per-agent-${n} ${fmt(perAgent)} MB baseline=1 ratio=${fmt(perAgent)}`);
      console.log(`BENCH scale-threads-${n} ${threads()} threads baseline=${threads0} ratio=${fmt(threads() / threads0)}`);
      console.log(`BENCH scale-spawn-rate-${n} ${fmt(rate, 1)} agents/s baseline=${fmt(healthRate, 0)} ratio=${fmt(rate / healthRate, 3)}`);
    }
  } finally {
    await hub.stop();
  }
  // Same state dir, same agents, in rounds (the old path first in each, so its leftovers never
  // flatter the new one); each figure is the median of its rounds (a shared machine's load moves
  // within seconds). Why the default window is wide: a narrow one, same rounds (stderr only).
  const rounds = Math.max(1, Number(process.env.WZ_SCALE_ROUNDS ?? 3));
  const runs: Record<'before' | 'narrow' | 'restart', Restart[]> = { before: [], narrow: [], restart: [] };
  for (let r = 0; r < rounds; r++) {
    runs.before.push(await restartTime(dir, names, ALL_AT_ONCE));
    runs.narrow.push(await restartTime(dir, names, { concurrency: 16 }));
    runs.restart.push(await restartTime(dir, names));
  }
  const before = medianRestart(runs.before);
  const narrow = medianRestart(runs.narrow);
  const restart = medianRestart(runs.restart);
  process.stderr.write(`restarts (wall / CPU ms, each round): restore queue ${runs.restart.map((r) => `${fmt(r.ms, 0)}/${fmt(r.cpuMs, 0)}`).join(', ')}; window of 16 ${runs.narrow.map((r) => `${fmt(r.ms, 0)}/${fmt(r.cpuMs, 0)}`).join(', ')}; all at once ${runs.before.map((r) => `${fmt(r.ms, 0)}/${fmt(r.cpuMs, 0)}`).join(', ')}\n`);
  process.stderr.write(`restart with ${names.length} agents, every agent answered after (medians of ${rounds} rounds): restore queue ${describeRestart(restart)}; window of 16 ${describeRestart(narrow)}; all at once ${describeRestart(before)}; empty hub ${fmt(emptyRestart.ms, 0)} ms\n`);
  console.log(`BENCH scale-restart-${names.length} ${fmt(restart.ms, 0)} ms baseline=${fmt(emptyRestart.ms, 0)} ratio=${fmt(restart.ms / emptyRestart.ms, 1)}`);
  console.log(`BENCH scale-restore-${names.length} ${fmt(restart.ms, 0)} ms baseline=${fmt(before.ms, 0)} ratio=${fmt(restart.ms / before.ms, 3)}`);
  // The hub's CPU time (every thread) for the same restarts: on a shared machine the wall time
  // follows the share of the CPU the hub gets, this much less.
  console.log(`BENCH scale-restore-cpu-${names.length} ${fmt(restart.cpuMs, 0)} ms baseline=${fmt(before.cpuMs, 0)} ratio=${fmt(restart.cpuMs / before.cpuMs, 3)}`);
  console.log(`BENCH scale-restore-threads-${names.length} ${restart.threads} threads baseline=${before.threads} ratio=${fmt(restart.threads / before.threads)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
}
