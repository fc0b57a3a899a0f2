/**
 * Load on the dashboard as issue 5 states it: 500 agents heart-beating and 1,000 log lines a
 * second, published on the real hub's bus (so they travel broker → WebSocket → mqtt.js → the
 * per-frame batcher → the stores → React), while the page measures its own frame times. Used by
 * the load e2e (correctness under load) and by a bench (figures).
 */
import type { Page } from 'playwright-core';
import { topics } from '../../src/shared/topics.js';
import type { TestHub } from './hub.js';

export interface LoadOptions {
  agents?: number;
  logsPerSecond?: number;
  /** How long to measure each view. */
  durationMs?: number;
}

export interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  max: number;
}

export interface LoadFigures {
  idle: FrameStats;
  agentsView: FrameStats;
  logsView: FrameStats;
  heapMb: number;
  logLinesSent: number;
}

const fakeId = (i: number) => `load-${String(i).padStart(4, '0')}`;

/** Starts publishing; returns a function that stops and reports how many log lines went out. */
export function startLoad(hub: TestHub, opts: LoadOptions = {}): () => number {
  const agents = opts.agents ?? 500;
  const logsPerSecond = opts.logsPerSecond ?? 1_000;
  const bus = hub.handle.bus;
  const tickMs = 50;
  let tick = 0;
  let sent = 0;
  const heartbeat = (i: number) =>
    bus.publish(topics.agent(fakeId(i), 'heartbeat'), {
      actor_id: fakeId(i),
      name: `load-agent-${i}`,
      timestamp: Date.now() / 1000,
      state: i % 97 === 0 ? 'failed' : 'running',
      cpu: (i * 7) % 100,
      memory_mb: 20 + (i % 30),
      task: null,
      protected: false,
      kind: i % 3 === 0 ? 'dynamic' : 'catalog',
      inbox_size: i % 5,
    });
  for (let i = 0; i < agents; i++) heartbeat(i);
  const timer = setInterval(() => {
    tick++;
    // Every agent beats every 10 s: agents / 200 per 50 ms tick.
    const perTick = Math.ceil(agents / (10_000 / tickMs));
    for (let k = 0; k < perTick; k++) heartbeat((tick * perTick + k) % agents);
    const lines = Math.round((logsPerSecond * tickMs) / 1000);
    for (let k = 0; k < lines; k++) {
      const i = (tick * lines + k) % agents;
      bus.publish(topics.agent(fakeId(i), 'logs'), { type: k % 50 === 0 ? 'error' : k % 10 === 0 ? 'warning' : 'info', message: `line ${sent} from agent ${i}: processed a reading of ${(k * 13) % 1000}`, timestamp: Date.now() / 1000 });
      sent++;
    }
  }, tickMs);
  return () => {
    clearInterval(timer);
    return sent;
  };
}

/** Frame-to-frame times measured in the page with requestAnimationFrame for `ms`. */
export async function measureFrames(page: Page, ms: number): Promise<FrameStats> {
  const deltas = await page.evaluate((duration) => {
    const w = globalThis as unknown as { requestAnimationFrame(cb: (t: number) => void): number; performance: { now(): number } };
    return new Promise<number[]>((resolve) => {
      const out: number[] = [];
      let last = -1;
      const start = w.performance.now();
      const loop = (t: number) => {
        if (last >= 0) out.push(t - last);
        last = t;
        if (t - start < duration) w.requestAnimationFrame(loop);
        else resolve(out);
      };
      w.requestAnimationFrame(loop);
    });
  }, ms);
  const sorted = [...deltas].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { frames: deltas.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 };
}

/** JS heap in use, in MB (Chromium's DevTools metrics). */
export async function heapUsedMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1024 / 1024;
  } finally {
    await cdp.detach();
  }
}

/** Idle frames, then the agents view and the logs view under load; the page must already show the dashboard online. */
export async function measureDashboardLoad(hub: TestHub, page: Page, opts: LoadOptions = {}): Promise<LoadFigures> {
  const duration = opts.durationMs ?? 5_000;
  await page.goto(`${hub.url}#/agents`);
  const idle = await measureFrames(page, duration);
  // The hub's own actors (core, catalog, installer, planner…) are listed beside the simulated ones.
  const ownActors = hub.handle.system.list().length;
  const stop = startLoad(hub, opts);
  try {
    await page.waitForFunction(
      (n) => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('[data-testid="count-total"]')?.textContent === String(n),
      (opts.agents ?? 500) + ownActors,
      { timeout: 30_000 },
    );
    const agentsView = await measureFrames(page, duration);
    await page.goto(`${hub.url}#/logs`);
    await page.waitForSelector('[data-testid="log-line"]');
    const logsView = await measureFrames(page, duration);
    const heapMb = await heapUsedMb(page);
    return { idle, agentsView, logsView, heapMb, logLinesSent: stop() };
  } finally {
    stop();
  }
}
