/**
 * The dashboard under the load issue 13 names — 500 agents and 1,000 log lines a second through
 * the real hub's broker, then 2,000 agents listed — stays correct: the MQTT client runs in the bus
 * worker, every agent is listed (virtualised: only a screenful of rows in the DOM), the log tail
 * keeps following with a bounded buffer, and the page keeps answering. Speed is reported
 * (frame-time p95, heap), not asserted: figures belong to the dashboard-load benchmark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDashboardBrowser, requireChromium, type DashboardBrowser } from './support/browser.js';
import { hubTarget, measureDashboardLoad, showGraph, startLoad } from './support/dashboard-load.js';
import { waitOnline } from './support/dashboard-page.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { screenshot } from './support/screenshots.js';

describe.skipIf(!requireChromium())('dashboard under load (browser, real hub)', () => {
  let hub: TestHub;
  let b: DashboardBrowser;

  beforeAll(async () => {
    hub = await startTestHub({ heartbeatMs: 10_000 });
    b = await launchDashboardBrowser();
    await b.page.goto(hub.url);
    await waitOnline(b.page);
  });

  afterAll(async () => {
    await b?.close();
    await hub?.stop();
  });

  it('runs the MQTT client in a Web Worker, off the page’s main thread', async () => {
    expect(await b.page.getAttribute('[data-testid="connection-state"]', 'data-bus')).toBe('worker');
    expect(b.page.workers().some((w) => w.url().includes('bus.worker'))).toBe(true);
  });

  it('draws 200 wired agents on the graph under load, searchable, with rates on the wires', async () => {
    const { page } = b;
    const stop = startLoad(hubTarget(hub), { agents: 200, logsPerSecond: 1_000, wired: true });
    try {
      await showGraph(page, hub.url, 200);
      const canvas = page.locator('[data-testid="graph-canvas"]');
      expect(Number(await canvas.getAttribute('data-agents'))).toBeGreaterThanOrEqual(200);
      // Chains of five: four wires each, 160 in all (between the simulated agents).
      expect(Number(await canvas.getAttribute('data-edges'))).toBeGreaterThanOrEqual(160);
      // Drawn only where the eye is: far fewer agent boxes in the DOM than agents once zoomed in.
      await page.fill('[data-testid="graph-search"]', 'load-agent-123');
      await page.waitForSelector('[data-testid="graph-agent"][data-agent-name="load-agent-123"][data-mark="match"]');
      await page.click('[data-testid="graph-show-matches"]');
      await expect.poll(() => page.locator('[data-testid="graph-agent"]').count(), { timeout: 10_000 }).toBeLessThan(120);
      // Wires carry the simulated readings: a rate on the one into load-agent-123.
      await expect
        .poll(async () => Number((await page.locator('[data-testid="graph-edge"][data-to="load-0123"]').first().getAttribute('data-rate')) ?? 0), { timeout: 20_000 })
        .toBeGreaterThan(0);
      await page.fill('[data-testid="graph-search"]', '');
      await page.click('[data-testid="graph-canvas"] .react-flow__controls-fitview');
      await screenshot(page, 'graph-200-agents');
    } finally {
      stop();
    }
    expect(b.errors).toEqual([]);
  });

  it('lists 500 live agents and tails 1,000 log lines a second with bounded memory, then lists 2,000', async () => {
    const { page } = b;
    const f = await measureDashboardLoad(hubTarget(hub), page, { agents: 500, logsPerSecond: 1_000, durationMs: 4_000 });
    console.log(
      `dashboard load: frame p95 idle ${f.idle.p95.toFixed(1)} ms, agents view ${f.agentsView.p95.toFixed(1)} ms, logs view ${f.logsView.p95.toFixed(1)} ms; heap page ${f.heap.page.toFixed(1)} MB + bus worker ${f.heap.worker.toFixed(1)} MB; ${f.logLinesSent} log lines sent`,
    );
    expect(f.heap.worker).toBeGreaterThan(0);
    expect(f.logLinesSent).toBeGreaterThan(1_000);
    // The logs view follows the tail; the buffer is capped however many lines arrived.
    const shown = await page.textContent('[data-testid="logs-panel"] .logs-bar');
    const count = Number(/([\d,]+) lines?/.exec(shown ?? '')?.[1]?.replace(/,/g, ''));
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThanOrEqual(10_000);
    // Virtualised: a screenful of rows in the DOM, not thousands.
    expect(await page.locator('[data-testid="log-line"]').count()).toBeLessThan(120);
    await screenshot(page, 'logs-under-load');

    await page.goto(`${hub.url}#/agents`);
    // The 500 simulated agents plus the hub's own actors.
    await page.waitForSelector(`[data-testid="count-total"]:has-text("${500 + hub.handle.system.list().length}")`);
    expect(await page.locator('[data-testid="agent-row"]').count()).toBeLessThan(80);
    // Failed agents come first and stand out.
    expect(await page.locator('[data-testid="agent-row"]').first().getAttribute('data-health')).toBe('failed');
    // Still interactive under load: search narrows hundreds of agents to one.
    await page.fill('[data-testid="agent-search"]', 'load-agent-123');
    await page.waitForSelector('[data-testid="agent-row"][data-agent-name="load-agent-123"]');
    expect(await page.locator('[data-testid="agent-row"]').count()).toBe(1);
    await page.fill('[data-testid="agent-search"]', '');
    await screenshot(page, 'agents-under-load');

    // 2,000 agents listed: still a screenful of rows, search still finds one.
    const stop = startLoad(hubTarget(hub), { agents: 2_000, logsPerSecond: 1_000 });
    try {
      await page.waitForSelector(`[data-testid="count-total"]:has-text("${2_000 + hub.handle.system.list().length}")`, { timeout: 60_000 });
      expect(await page.locator('[data-testid="agent-row"]').count()).toBeLessThan(80);
      await page.fill('[data-testid="agent-search"]', 'load-agent-1999');
      await page.waitForSelector('[data-testid="agent-row"][data-agent-name="load-agent-1999"]');
      expect(await page.locator('[data-testid="agent-row"]').count()).toBe(1);
      await page.fill('[data-testid="agent-search"]', '');
      await screenshot(page, 'agents-2000-under-load');
    } finally {
      stop();
    }
    expect(b.errors).toEqual([]);
  });
});
