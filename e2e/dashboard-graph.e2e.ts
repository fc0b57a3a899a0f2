/**
 * The graph view and the activity feed in a real browser against a real hub (issue 16, done when):
 * a publisher and a subscriber agent on one topic are an edge in the view and in GET /api/graph,
 * with a rate once messages flow; a paused agent shows as paused (paused from the graph's own
 * panel, through the REST routes); an agent on a remote node (a real node runtime on the hub's
 * broker over TCP) shows under that node; a wire's recent messages; a pipeline's path; the
 * activity feed lists what happened, filterable, linking to it. Screenshots of the graph with
 * about 10 agents (here) and with 200 (dashboard-load.e2e.ts) go to test-output/dashboard/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorIdFor } from '../src/main/core/actor-id.js';
import { startNode, type RunningNode } from '../src/main/nodes/index.js';
import { installEnrollment } from '../src/main/nodes/trust/node-fleet-key.js';
import type { Graph } from '../src/shared/graph.js';
import { launchDashboardBrowser, requireChromium, type DashboardBrowser } from './support/browser.js';
import { waitOnline } from './support/dashboard-page.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { screenshot } from './support/screenshots.js';

/** The rate the view shows on the wire from → to (0 when there is none). */
async function rateShown(page: Page, from: string, to: string): Promise<number> {
  const el = page.locator(`[data-testid="graph-edge"][data-from="${from}"][data-to="${to}"]`).first();
  return (await el.count()) ? Number(await el.getAttribute('data-rate')) : 0;
}

const PUBLISHER = `export async function process(agent) { agent.publish('sensors/temp', { c: Math.round(20 + Math.random() * 15) }); }`;
const SUBSCRIBER = `export async function setup(agent) {
  agent.subscribe('sensors/temp', (m) => { if (m.c > 30 && !agent.state.alerted) { agent.state.alerted = true; agent.alert('too hot: ' + m.c + ' °C', 'warning'); } });
}`;
const LOGGER = `export async function setup(agent) {
  agent.subscribe('sensors/#', () => { agent.state.n = (agent.state.n ?? 0) + 1; });
  agent.subscribe('garden/#', () => { agent.state.g = (agent.state.g ?? 0) + 1; });
}`;
const REMOTE = `export async function process(agent) { agent.publish('garden/moisture', { v: 0.4 }); }`;

describe.skipIf(!requireChromium())('the graph view and the activity feed (browser, real hub)', () => {
  let hub: TestHub;
  let b: DashboardBrowser;
  let node: RunningNode | undefined;
  let nodeDir: string;
  const sim = actorIdFor('temp-sim');
  const alerter = actorIdFor('heat-alerter');

  beforeAll(async () => {
    hub = await startTestHub();
    b = await launchDashboardBrowser();
    nodeDir = await mkdtemp(join(tmpdir(), 'wactorz-e2e-graph-node-'));
  });

  afterAll(async () => {
    await b?.close();
    await node?.stop();
    await hub?.stop();
    await rm(nodeDir, { recursive: true, force: true });
  });

  it('draws a publisher and a subscriber as an edge, with a rate once messages flow — in the view and in GET /api/graph', async () => {
    const { page } = b;
    expect((await hub.api('POST', 'agents', { name: 'temp-sim', code: PUBLISHER, publishes: ['sensors/temp'], poll_interval: 0.25 })).status).toBe(201);
    expect((await hub.api('POST', 'agents', { name: 'heat-alerter', code: SUBSCRIBER, subscribes: ['sensors/temp'] })).status).toBe(201);
    expect((await hub.api('POST', 'agents', { name: 'sensor-log', code: LOGGER, subscribes: ['sensors/#', 'garden/#'] })).status).toBe(201);
    await page.goto(`${hub.url}#/graph`);
    await waitOnline(page);
    await page.waitForSelector(`[data-testid="graph-agent"][data-agent-name="temp-sim"]`, { timeout: 30_000 });
    const edge = page.locator(`[data-testid="graph-edge"][data-from="${sim}"][data-to="${alerter}"][data-topic="sensors/temp"]`);
    await edge.waitFor({ state: 'attached', timeout: 30_000 });
    await expect.poll(() => rateShown(page, sim, alerter), { timeout: 30_000 }).toBeGreaterThan(0);
    const api = await hub.api<Graph>('GET', 'graph');
    const e = api.body.edges.find((x) => x.from === sim && x.to === alerter && x.topic === 'sensors/temp');
    expect(e?.rate).toBeGreaterThan(0);
    expect(api.body.agents.find((a) => a.id === sim)).toMatchObject({ name: 'temp-sim', kind: 'dynamic', node: null, state: 'running' });
    expect(b.errors).toEqual([]);
  });

  it('shows a wire’s recent messages, and pauses an agent from its panel (shown paused)', async () => {
    const { page } = b;
    await page.locator(`[data-testid="graph-edge"][data-from="${sim}"][data-to="${alerter}"]`).click();
    await page.waitForSelector('[data-testid="graph-wire-panel"][data-topic="sensors/temp"] [data-testid="graph-wire-message"]', { timeout: 15_000 });
    expect(await page.locator('[data-testid="graph-wire-message"] pre').first().textContent()).toMatch(/"c":/);

    await page.locator('[data-testid="graph-agent"][data-agent-name="heat-alerter"]').click();
    await page.waitForSelector(`[data-testid="graph-panel"][data-agent-id="${alerter}"]`);
    await page.click('[data-testid="graph-panel"] [data-testid="action-pause"]');
    await page.waitForSelector('[data-testid="graph-agent"][data-agent-name="heat-alerter"][data-state="paused"]', { timeout: 15_000 });
    expect((await hub.api<Graph>('GET', 'graph')).body.agents.find((a) => a.id === alerter)?.state).toBe('paused');
    await page.click('[data-testid="graph-panel"] [data-testid="action-resume"]');
    await page.waitForSelector('[data-testid="graph-agent"][data-agent-name="heat-alerter"][data-state="running"]', { timeout: 15_000 });
  });

  it('search and filters narrow the picture', async () => {
    const { page } = b;
    await page.fill('[data-testid="graph-search"]', 'alert');
    await page.waitForSelector('[data-testid="graph-agent"][data-agent-name="heat-alerter"][data-mark="match"]');
    expect(await page.getAttribute('[data-testid="graph-agent"][data-agent-name="temp-sim"]', 'data-mark')).toBe('dim');
    await page.fill('[data-testid="graph-search"]', '');
    await page.selectOption('[data-testid="graph-kind-filter"]', 'core');
    await page.waitForSelector('[data-testid="graph-agent"][data-agent-name="temp-sim"]', { state: 'detached' });
    expect(await page.locator('[data-testid="graph-agent"][data-agent-name="main"]').count()).toBe(1);
    await page.selectOption('[data-testid="graph-kind-filter"]', '');
    await page.waitForSelector('[data-testid="graph-agent"][data-agent-name="temp-sim"]');
  });

  it('shows an agent on a remote node under that node, wired to the hub agent that reads it', async () => {
    const { page } = b;
    // Enrolled as a person does it (POST /nodes/garage/enroll, then `wactorz node enroll`).
    const enrolled = await hub.api('POST', 'nodes/garage/enroll', {});
    expect(enrolled.status).toBe(201);
    await installEnrollment(nodeDir, 'garage', (enrolled.body as { code: string }).code);
    node = await startNode({ name: 'garage', stateDir: nodeDir, broker: { url: `mqtt://127.0.0.1:${hub.handle.mqttPort}` }, heartbeatMs: 1_000 });
    const placed = await hub.api('POST', 'nodes/garage/agents', { name: 'garden-sensor', code: REMOTE, publishes: ['garden/moisture'], poll_interval: 0.5 });
    expect([201, 202], JSON.stringify(placed.body)).toContain(placed.status);
    await page.waitForSelector('[data-testid="graph-group"][data-node="garage"][data-online="true"]', { timeout: 30_000 });
    const remote = page.locator('[data-testid="graph-agent"][data-agent-name="garden-sensor"]');
    await remote.waitFor({ timeout: 30_000 });
    expect(await remote.getAttribute('data-node')).toBe('garage');
    // Inside the node's box, not the hub's.
    const box = await page.locator('[data-testid="graph-group"][data-node="garage"]').boundingBox();
    const at = await remote.boundingBox();
    expect(box && at && at.x >= box.x && at.x + at.width <= box.x + box.width + 1 && at.y >= box.y).toBe(true);
    // Its messages reach the hub's logger: a wire from the node's agent (attributed by its declared publishes), with a rate.
    const gid = actorIdFor('garden-sensor');
    const log = actorIdFor('sensor-log');
    await expect.poll(() => rateShown(page, gid, log), { timeout: 30_000 }).toBeGreaterThan(0);
    expect((await hub.api<Graph>('GET', 'graph')).body.agents.find((a) => a.name === 'garden-sensor')).toMatchObject({ id: gid, node: 'garage' });
    await screenshot(page, 'graph-10-agents');
  });

  it('the activity feed lists what happened, newest first, filterable, each linking to what it is about', async () => {
    const { page } = b;
    await page.click('[data-testid="nav-activity"]');
    await page.waitForSelector('[data-testid="feed-event"][data-kind="spawned"][data-subject="temp-sim"]', { timeout: 15_000 });
    await page.waitForSelector('[data-testid="feed-event"][data-kind="node_online"][data-subject="garage"]', { timeout: 15_000 });
    // Toasts (the alert, pause, resume) may sit over the chips for a while: click by event.
    await page.locator('[data-testid="feed-kind-node_online"]').dispatchEvent('click');
    await expect.poll(() => page.locator('[data-testid="feed-event"]:not([data-kind="node_online"])').count()).toBe(0);
    await page.locator('[data-testid="feed-kind-node_online"]').dispatchEvent('click');
    await page.fill('[data-testid="feed-search"]', 'temp-sim');
    await page.locator('[data-testid="feed-event"][data-subject="temp-sim"] [data-testid="feed-link"]').first().click();
    await page.waitForSelector('[data-testid="agent-detail"]');
    expect(page.url()).toMatch(/#\/agents\/temp-sim$/);
    await page.goto(`${hub.url}#/activity`);
    await page.fill('[data-testid="feed-search"]', '');
    await screenshot(page, 'activity');
    expect(b.errors).toEqual([]);
  });
});
