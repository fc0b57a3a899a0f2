/**
 * The Pipelines and Nodes views in a real browser against a real hub. Both start empty; then a
 * pipeline is planned through POST /api/pipelines (the scripted LLM answers the planner with a
 * plan) and a real remote node (startNode, on the hub's embedded broker over TCP) joins with an
 * agent placed on it, and both views show them — the node going offline when it stops.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type RunningNode } from '../src/main/nodes/index.js';
import { installEnrollment } from '../src/main/nodes/trust/node-fleet-key.js';
import type { NodeInfo, PipelineListResponse } from '../src/shared/rest.js';
import { NODE_ONLINE_WINDOW_MS } from '../src/renderer/src/stores/nodes-store.js';
import { waitUntil } from '../src/main/testing/wait.js';
import { launchDashboardBrowser, requireChromium, type DashboardBrowser } from './support/browser.js';
import { waitForCount, waitOnline } from './support/dashboard-page.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { screenshot } from './support/screenshots.js';

const PLAN = {
  name: 'door-watch',
  description: 'Count front-door openings and announce each one',
  agents: [
    {
      name: 'door-watch-filter',
      role: 'passes door openings',
      type: 'dynamic',
      code: `export async function setup(agent) {
  agent.subscribe('homeassistant/state_changes/#', (m) => {
    if (m.entity_id === 'binary_sensor.front_door' && m.new_state?.state === 'on') agent.publish('pipelines/door-watch/opened', { at: Date.now() });
  });
}`,
      subscribes: ['homeassistant/state_changes/#'],
      publishes: ['pipelines/door-watch/opened'],
    },
    {
      name: 'door-watch-count',
      role: 'counts openings',
      type: 'dynamic',
      code: `export async function setup(agent) {
  agent.state.count = 0;
  agent.subscribe('pipelines/door-watch/opened', () => { agent.state.count += 1; });
}
export async function handleTask(agent) { return { count: agent.state.count }; }`,
      subscribes: ['pipelines/door-watch/opened'],
    },
  ],
  topics: [{ topic: 'pipelines/door-watch/opened', from: ['door-watch-filter'], to: ['door-watch-count'], description: 'the door opened' }],
  summary: 'I will count front-door openings.',
};

const ECHO = `export async function handleTask(agent, payload) { return { echo: payload }; }`;

describe.skipIf(!requireChromium())('pipelines and nodes (browser, real hub)', () => {
  let hub: TestHub;
  let b: DashboardBrowser;
  let node: RunningNode | undefined;
  let nodeDir: string;

  // The hub's online window is short here (its 45 s default is tested with the registry); the
  // dashboard keeps its own 45 s and runs on Playwright's clock, which the test moves forward.
  beforeAll(async () => {
    hub = await startTestHub({ nodes: { onlineWindowMs: 3_000 } });
    hub.llm.respond('openai', (req) => {
      const body = req.body as { messages?: { role: string; content: unknown }[] };
      const system = String(body.messages?.find((m) => m.role === 'system')?.content ?? '');
      return system.includes('pipeline planner of Wactorz') ? JSON.stringify(PLAN) : 'ok';
    });
    b = await launchDashboardBrowser();
    await b.page.clock.install(); // flows like real time until the test fast-forwards it
    nodeDir = await mkdtemp(join(tmpdir(), 'wactorz-e2e-node-'));
  });

  afterAll(async () => {
    await b?.close();
    await node?.stop();
    await hub?.stop();
    await rm(nodeDir, { recursive: true, force: true });
  });

  it('shows empty states when nothing runs', async () => {
    const { page } = b;
    expect((await hub.api<PipelineListResponse>('GET', 'pipelines')).body.pipelines).toEqual([]);
    expect((await hub.api<NodeInfo[]>('GET', 'nodes')).body).toEqual([]);
    await page.goto(`${hub.url}#/pipelines`);
    await waitOnline(page);
    await page.waitForSelector('[data-testid="pipelines-empty"]');
    await page.click('[data-testid="nav-nodes"]');
    await page.waitForSelector('[data-testid="view-nodes"] [data-testid="nodes-empty"]');
  });

  it('lists a planned pipeline with its request, its agents’ live state and the topics between them', async () => {
    const { page } = b;
    const request = 'count how often the front door opens';
    const created = await hub.api<{ pipeline?: { id: string } }>('POST', 'pipelines', { text: request });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await page.click('[data-testid="nav-pipelines"]');
    const card = page.locator('[data-testid="pipeline-card"][data-pipeline-id="door-watch"]');
    await card.waitFor({ timeout: 30_000 });
    expect(await card.locator('[data-testid="pipeline-request"]').textContent()).toBe(request);
    for (const name of ['door-watch-filter', 'door-watch-count']) {
      await card.locator(`[data-testid="pipeline-agent"][data-agent-name="${name}"][data-state="running"]`).waitFor({ timeout: 30_000 });
    }
    const links = await card.locator('[data-testid="pipeline-link"]').allTextContents();
    expect(links).toContain('door-watch-filter→pipelines/door-watch/opened→door-watch-count');
    expect(links).toContain('outside→homeassistant/state_changes/#→door-watch-filter');
    await screenshot(page, 'pipelines');
    // Each agent links to its detail.
    await card.locator('[data-testid="pipeline-agent"][data-agent-name="door-watch-count"]').click();
    await page.waitForSelector('[data-testid="agent-detail"]');
    expect(page.url()).toMatch(/#\/agents\/door-watch-count$/);
  });

  it('shows a remote node with its agents and load, live, and marks it offline when it stops', async () => {
    const { page } = b;
    // Enrolled as a person does it: the hub's answer carries the key, the node stores it.
    const enrolled = await hub.api('POST', 'nodes/e2e-node/enroll', {});
    expect(enrolled.status).toBe(201);
    await installEnrollment(nodeDir, 'e2e-node', (enrolled.body as { code: string }).code);
    node = await startNode({ name: 'e2e-node', stateDir: nodeDir, broker: { url: `mqtt://127.0.0.1:${hub.handle.mqttPort}` }, heartbeatMs: 1_000 });
    const placed = await hub.api('POST', 'nodes/e2e-node/agents', { name: 'e2e-echo', code: ECHO });
    expect([201, 202], JSON.stringify(placed.body)).toContain(placed.status);
    await page.click('[data-testid="nav-nodes"]');
    const card = page.locator('[data-testid="node-card"][data-node="e2e-node"]');
    await card.waitFor({ timeout: 30_000 });
    await page.waitForSelector('[data-testid="node-card"][data-node="e2e-node"][data-online="true"]', { timeout: 30_000 });
    await card.locator('[data-testid="node-agent"][data-agent-name="e2e-echo"]').waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      () => {
        const el = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('[data-testid="node-card"][data-node="e2e-node"] [data-testid="node-load"]');
        return /\d+\.\d\d/.test(el?.textContent ?? '');
      },
      undefined,
      { timeout: 30_000 },
    );
    await waitForCount(page, '[data-testid="node-card"]', 1);
    await screenshot(page, 'nodes');

    // Stopped: after the 45 s window without a heartbeat it is offline (and stands out). The hub
    // says so after its (short) window; the dashboard's 45 s pass on its clock.
    await node.stop();
    node = undefined;
    await waitUntil(async () => (await hub.api<NodeInfo[]>('GET', 'nodes')).body.find((n) => n.name === 'e2e-node')?.online === false, 'the hub marking the node offline', 30_000);
    await page.clock.fastForward(NODE_ONLINE_WINDOW_MS);
    await page.waitForSelector('[data-testid="node-card"][data-node="e2e-node"][data-online="false"]', { timeout: 90_000 });
    expect(await card.getAttribute('class')).toMatch(/offline/);
    await screenshot(page, 'nodes-offline');
  }, 150_000);
});
