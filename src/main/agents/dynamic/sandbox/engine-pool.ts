/**
 * Where agents' engines run: a small pool of SHARED sandbox workers (one to start with, growing
 * only while every one of them is busy — running turns, or booting a backlog of engines, as in a
 * restore — up to about one per core), each hosting many engines; and
 * DEDICATED workers (one agent each, capped) for agents that ask for one (`isolation:
 * 'dedicated'`), that keep using whole CPU slices, or that keep failing. Threads no longer grow
 * with agents: 300 agents cost the shared workers plus at most `dedicatedMax` threads.
 *
 * A shared worker boots a spare engine with the default cap ahead of need, so a spawn only loads
 * code (≈ 1–2 ms). Empty workers are dropped, except one shared worker kept warm (it does not hold
 * the process open).
 */
import { availableParallelism } from 'node:os';
import { EngineWorker, type EngineClient, type WorkerKind } from './engine-worker.js';
import { ENGINE_INITIAL_PAGES, sandboxAssets } from './quickjs-assets.js';
import { DEFAULT_LIMITS } from './types.js';

export interface EnginePoolConfig {
  /** Engines booted ahead per shared worker (default 1, with the default memory cap). */
  spares: number;
  /** Most shared workers (default: the number of cores). */
  sharedMax: number;
  /** Most dedicated workers (default 8). */
  dedicatedMax: number;
  /** CPU budget of one agent's turn on a shared worker, ms (default 20). */
  sliceMs: number;
  /** Busy share (0–1) every shared worker must report before another is started (default 0.5). */
  growAtBusy: number;
  /**
   * Engines starting (created, not yet loaded) on every shared worker before another is started
   * (default 8): a burst of spawns — a restore — is boots, which no busy share shows.
   */
  growAtBacklog: number;
  /** How long past a call's deadline a silent worker is taken for stuck and replaced, ms (default 2000). */
  wedgedGraceMs: number;
}

const config: EnginePoolConfig = { spares: 1, sharedMax: Math.max(1, availableParallelism()), dedicatedMax: 8, sliceMs: 20, growAtBusy: 0.5, growAtBacklog: 8, wedgedGraceMs: 2_000 };
const shared: EngineWorker[] = [];
const dedicated: EngineWorker[] = [];
/** Fatal failures per agent name (timestamps): an agent that keeps failing gets a worker of its own. */
const failures = new Map<string, number[]>();
const FAILURES_FOR_DEDICATED = 3;
const FAILURE_WINDOW_MS = 10 * 60_000;

export function configureEnginePool(opts: Partial<EnginePoolConfig>): void {
  for (const [k, v] of Object.entries(opts) as [keyof EnginePoolConfig, number | undefined][]) {
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) config[k] = k === 'growAtBusy' ? v : Math.floor(v);
  }
  config.sharedMax = Math.max(1, config.sharedMax);
  config.sliceMs = Math.max(2, config.sliceMs);
}

export function enginePoolConfig(): Readonly<EnginePoolConfig> {
  return config;
}

/** Terminates the workers that host no agent (at hub shutdown; workers with agents go with their last agent). */
export async function closeEnginePool(): Promise<void> {
  const idle = [...shared, ...dedicated].filter((w) => w.agents === 0);
  for (const w of idle) forget(w);
  await Promise.all(idle.map((w) => w.terminate()));
}

export interface EnginePoolStats {
  sharedWorkers: number;
  dedicatedWorkers: number;
  agents: number;
  workers: { id: number; kind: WorkerKind; agents: number; busy: number; starting: number }[];
}

export function enginePoolStats(): EnginePoolStats {
  const workers = [...shared, ...dedicated].map((w) => ({ id: w.id, kind: w.kind, agents: w.agents, busy: w.busy, starting: w.starting }));
  return { sharedWorkers: shared.length, dedicatedWorkers: dedicated.length, agents: workers.reduce((n, w) => n + w.agents, 0), workers };
}

/** A worker of its own is free to be had. */
export function dedicatedAvailable(): boolean {
  return dedicated.length < config.dedicatedMax;
}

/** A fatal failure of this agent (out of memory, dead engine, wedged): counted towards a worker of its own. */
export function noteFailure(name: string): void {
  const now = Date.now();
  const recent = (failures.get(name) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
  recent.push(now);
  failures.set(name, recent.slice(-FAILURES_FOR_DEDICATED));
  if (failures.size > 10_000) failures.delete(failures.keys().next().value!);
}

/**
 * This agent stalled a whole worker (native code no interrupt reaches): its next engine gets a
 * worker of its own at once, so that its neighbours are not restarted for it again.
 */
export function needsOwnWorker(name: string): void {
  const now = Date.now();
  failures.set(name, Array.from({ length: FAILURES_FOR_DEDICATED }, () => now));
}

function keepsFailing(name: string): boolean {
  const now = Date.now();
  return (failures.get(name) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS).length >= FAILURES_FOR_DEDICATED;
}

export interface Placement {
  worker: EngineWorker;
  engineId: number;
}

/**
 * Places a new engine for `client`: on a dedicated worker when asked (and one is free) or when the
 * agent keeps failing; otherwise on the least busy shared worker, starting another only when all of
 * them are busy.
 */
export async function placeEngine(client: EngineClient, req: { name: string; memoryMb: number; isolation: WorkerKind }): Promise<Placement> {
  const assets = await sandboxAssets();
  const wantsOwn = req.isolation === 'dedicated' || keepsFailing(req.name);
  let worker: EngineWorker;
  if (wantsOwn && dedicatedAvailable()) {
    worker = startWorker('dedicated', assets);
  } else {
    worker = pickShared() ?? startWorker('shared', assets);
  }
  return { worker, engineId: worker.attach(client, req.memoryMb, config.spares) };
}

/** An engine left its worker: a dedicated worker goes; a shared one goes when empty unless it is the last. */
export function releaseEngine(worker: EngineWorker, engineId: number): void {
  worker.detach(engineId);
  if (worker.agents > 0 || !worker.alive) return;
  if (worker.kind === 'dedicated' || shared.length > 1) {
    forget(worker);
    void worker.terminate();
  }
}

function pickShared(): EngineWorker | undefined {
  const live = shared.filter((w) => w.alive);
  if (live.length === 0) return undefined;
  const pressed = (w: EngineWorker): boolean => w.busy >= config.growAtBusy || w.starting >= Math.max(1, config.growAtBacklog);
  if (live.length < config.sharedMax && live.every(pressed)) return undefined;
  // The least busy; among as busy, the one with fewer starts waiting, then fewer agents (a burst
  // spreads over the workers it grew).
  const near = (a: number, b: number): boolean => Math.abs(a - b) <= 0.05;
  const better = (b: EngineWorker, a: EngineWorker): boolean =>
    b.busy < a.busy - 0.05 || (near(a.busy, b.busy) && (b.starting < a.starting || (b.starting === a.starting && b.agents < a.agents)));
  return live.reduce((a, b) => (better(b, a) ? b : a));
}

function startWorker(kind: WorkerKind, assets: Awaited<ReturnType<typeof sandboxAssets>>): EngineWorker {
  const worker = new EngineWorker(assets, {
    kind,
    sliceMs: config.sliceMs,
    spares: kind === 'shared' ? config.spares : 0,
    spareMemoryMb: DEFAULT_LIMITS.memoryMb,
    initialPages: ENGINE_INITIAL_PAGES,
    onGone: forget,
  });
  (kind === 'shared' ? shared : dedicated).push(worker);
  return worker;
}

function forget(worker: EngineWorker): void {
  for (const list of [shared, dedicated]) {
    const i = list.indexOf(worker);
    if (i >= 0) list.splice(i, 1);
  }
}
