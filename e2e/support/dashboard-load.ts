/**
 * Load on the dashboard as issue 13 states it: 500 agents heart-beating and 1,000 log lines a
 * second (and 2,000 agents listed), published on a real hub's bus (so they travel broker →
 * WebSocket → mqtt.js in the bus worker → the per-frame batcher → the stores → React), while the
 * page measures its own frame times. Used by the load e2e (correctness under load) and by the
 * dashboard-load bench (figures, for the browser and — where Electron exists — the desktop window).
 */
import type { Page } from 'playwright-core';
import { topics } from '../../src/shared/topics.js';
import type { TestHub } from './hub.js';

export interface LoadOptions {
  agents?: number;
  logsPerSecond?: number;
  /** How long to measure each view. */
  durationMs?: number;
  /** Also measure the agents view with this many agents listed (2,000 in the bench). */
  listedAgents?: number;
  /** More views (hash routes) measured under the same load as agents and logs. */
  extraViews?: readonly string[];
  /** Measure the graph view with this many agents, wired in chains by their manifests and sending data (200 in the bench). */
  graphAgents?: number;
  /** Agents declare publishes/subscribes (retained manifests) and publish data: wires with rates on the graph. */
  wired?: boolean;
}

export interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  /** Every frame-to-frame time, ascending (for shares over a budget). */
  sorted: number[];
}

/** The share of frames longer than `ms`, in percent. */
export function shareOver(s: FrameStats, ms: number): number {
  return s.frames === 0 ? 0 : (s.sorted.filter((d) => d > ms).length / s.frames) * 100;
}

export interface LoadFigures {
  idle: FrameStats;
  agentsView: FrameStats;
  logsView: FrameStats;
  /** The agents view with `listedAgents` agents (and the same log rate), when asked for. */
  agentsViewListed: FrameStats | null;
  /** `extraViews`, by route. */
  views: Record<string, FrameStats>;
  /** The graph view with `graphAgents` wired agents under the same log rate, when asked for. */
  graphView: FrameStats | null;
  /** From navigating to the graph view until its agents and wires are drawn, in ms (null without `graphAgents`). */
  graphOpenMs: number | null;
  heap: HeapFigures;
  logLinesSent: number;
}

/** Where the load goes: a hub whose dashboard is at `url`, and a way to publish on its bus. */
export interface LoadTarget {
  url: string;
  publish(topic: string, payload: unknown, retain?: boolean): void;
  /** The hub's own actors, listed beside the simulated ones. */
  ownActors(): Promise<number>;
}

export function hubTarget(hub: TestHub): LoadTarget {
  return { url: hub.url, publish: (t, p, retain) => hub.handle.bus.publish(t, p, retain ? { retain } : undefined), ownActors: async () => hub.handle.system.list().length };
}

const fakeId = (i: number) => `load-${String(i).padStart(4, '0')}`;

/** Starts publishing; returns a function that stops and reports how many log lines went out. */
export function startLoad(target: LoadTarget, opts: LoadOptions = {}): () => number {
  const agents = opts.agents ?? 500;
  const logsPerSecond = opts.logsPerSecond ?? 1_000;
  const tickMs = 50;
  let tick = 0;
  let sent = 0;
  const heartbeat = (i: number) =>
    target.publish(topics.agent(fakeId(i), 'heartbeat'), {
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
  // Wired: chains of five — each agent publishes load/<id>, and reads the one before it.
  const dataTopic = (i: number) => `load/${fakeId(i)}`;
  if (opts.wired) {
    for (let i = 0; i < agents; i++) {
      target.publish(
        topics.agent(fakeId(i), 'manifest'),
        { name: `load-agent-${i}`, actor_id: fakeId(i), description: '', publishes: [dataTopic(i)], subscribes: i % 5 === 0 ? [] : [dataTopic(i - 1)], capabilities: [], input_schema: {}, output_schema: {}, timestamp: Date.now() / 1000 },
        true,
      );
    }
  }
  const timer = setInterval(() => {
    tick++;
    // Wired agents send a reading every 2 s each.
    if (opts.wired) {
      const perTick = Math.ceil(agents / (2_000 / tickMs));
      for (let k = 0; k < perTick; k++) {
        const i = (tick * perTick + k) % agents;
        target.publish(dataTopic(i), { v: (tick + i) % 100 });
      }
    }
    // Every agent beats every 10 s: agents / 200 per 50 ms tick.
    const perTick = Math.ceil(agents / (10_000 / tickMs));
    for (let k = 0; k < perTick; k++) heartbeat((tick * perTick + k) % agents);
    const lines = Math.round((logsPerSecond * tickMs) / 1000);
    for (let k = 0; k < lines; k++) {
      const i = (tick * lines + k) % agents;
      target.publish(topics.agent(fakeId(i), 'logs'), { type: k % 50 === 0 ? 'error' : k % 10 === 0 ? 'warning' : 'info', message: `line ${sent} from agent ${i}: processed a reading of ${(k * 13) % 1000}`, timestamp: Date.now() / 1000 });
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
  return { frames: deltas.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0, sorted };
}

export interface HeapFigures {
  /** The page's main thread, MB. */
  page: number;
  /** The bus worker (MQTT client, parsing), MB; 0 when the page runs the bus inline. */
  worker: number;
}

/** JS heap in use after a GC, in MB: the page's (Chromium's DevTools metrics) and its bus worker's. */
export async function heapUsedMb(page: Page): Promise<HeapFigures> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const pageMb = (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1024 / 1024;
    // The worker is a target of its own: its isolate is reached through the page's session.
    let workerMb = 0;
    const { targetInfos } = await cdp.send('Target.getTargets');
    for (const t of targetInfos.filter((x) => x.type === 'worker' && x.url.includes('bus.worker'))) {
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
      let next = 0;
      const call = (method: string) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const id = ++next;
          const onMessage = (e: { sessionId?: string; message: string }) => {
            const m = JSON.parse(e.message) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
            if (e.sessionId !== sessionId || m.id !== id) return;
            cdp.off('Target.receivedMessageFromTarget', onMessage);
            if (m.error) reject(new Error(m.error.message));
            else resolve(m.result ?? {});
          };
          cdp.on('Target.receivedMessageFromTarget', onMessage);
          void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
        });
      await call('HeapProfiler.collectGarbage');
      workerMb += Number((await call('Runtime.getHeapUsage')).usedSize ?? 0) / 1024 / 1024;
      await cdp.send('Target.detachFromTarget', { sessionId });
    }
    return { page: pageMb, worker: workerMb };
  } finally {
    await cdp.detach();
  }
}

/**
 * Opens the graph view and waits until it has laid out at least `agents` agents (hub's own
 * included) and their wires, and React Flow has drawn them (it draws the wires once it has measured
 * the agents: the first second after the layout is the view opening, as a list's first render is
 * for the other views). Resolves with the time from navigation until then, in ms.
 */
export async function showGraph(page: Page, url: string, agents: number): Promise<number> {
  const t0 = Date.now();
  await page.goto(`${url}#/graph`);
  await page.waitForFunction(
    (want) => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null; querySelectorAll(s: string): { length: number } } }).document;
      const el = doc.querySelector('[data-testid="graph-canvas"]');
      const ready = el?.getAttribute('data-laid-out') === 'true' && Number(el.getAttribute('data-agents')) >= want && Number(el.getAttribute('data-edges')) >= want / 2;
      return ready && doc.querySelectorAll('[data-testid="graph-canvas"] .react-flow__edge').length >= want / 2 && doc.querySelectorAll('[data-testid="graph-agent"]').length >= want;
    },
    agents,
    { timeout: 60_000 },
  );
  return Date.now() - t0;
}

const countShown = (page: Page, n: number) =>
  page.waitForFunction(
    (want) => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('[data-testid="count-total"]')?.textContent === String(want),
    n,
    { timeout: 60_000 },
  );

/**
 * Idle frames, then the agents view and the logs view under load (and, with `listedAgents`, the
 * agents view with that many agents); the page must already show the dashboard online.
 */
export async function measureDashboardLoad(target: LoadTarget, page: Page, opts: LoadOptions = {}): Promise<LoadFigures> {
  const duration = opts.durationMs ?? 5_000;
  const agents = opts.agents ?? 500;
  await page.goto(`${target.url}#/agents`);
  const idle = await measureFrames(page, duration);
  const ownActors = await target.ownActors();
  let sent = 0;
  // The graph first: its agents are the first of the later phases' ids, so their counts stay true.
  let graphView: FrameStats | null = null;
  let graphOpenMs: number | null = null;
  if (opts.graphAgents !== undefined) {
    const stopGraph = startLoad(target, { ...opts, agents: opts.graphAgents, wired: true });
    try {
      graphOpenMs = await showGraph(page, target.url, opts.graphAgents);
      graphView = await measureFrames(page, duration);
    } finally {
      sent += stopGraph();
    }
    await page.goto(`${target.url}#/agents`);
  }
  let stop = startLoad(target, opts);
  try {
    await countShown(page, agents + ownActors);
    const agentsView = await measureFrames(page, duration);
    await page.goto(`${target.url}#/logs`);
    await page.waitForSelector('[data-testid="log-line"]');
    const logsView = await measureFrames(page, duration);
    const views: Record<string, FrameStats> = {};
    for (const view of opts.extraViews ?? []) {
      await page.goto(`${target.url}#/${view}`);
      await page.waitForSelector(`[data-testid="view-${view}"]`);
      views[view] = await measureFrames(page, duration);
    }
    const heap = await heapUsedMb(page);
    sent += stop();
    let agentsViewListed: FrameStats | null = null;
    if (opts.listedAgents !== undefined) {
      stop = startLoad(target, { ...opts, agents: opts.listedAgents });
      await page.goto(`${target.url}#/agents`);
      // The simulated ids overlap: 2,000 listed means load-0000 … load-1999 plus the hub's own.
      await countShown(page, Math.max(agents, opts.listedAgents) + ownActors);
      agentsViewListed = await measureFrames(page, duration);
      sent += stop();
    }
    return { idle, agentsView, logsView, agentsViewListed, views, graphView, graphOpenMs, heap, logLinesSent: sent };
  } finally {
    stop();
  }
}
