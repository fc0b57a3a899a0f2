/**
 * The Approvals view in a real browser against a real hub: main's LLM (scripted) answers with a
 * `<spawn>` block asking for more than the safe default; the sidebar badge counts it (from
 * `system/approvals`, through the bus worker) and a card shows what is asked and why; the person
 * approves one ticked item, denies the rest, and the denial is listed for audit; the grant is then
 * revoked from the "Grants to review" list. Each step is checked against the hub's REST answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentGrant, Approval } from '../src/shared/approvals.js';
import { waitUntil } from '../src/main/testing/wait.js';
import { launchDashboardBrowser, requireChromium, type DashboardBrowser } from './support/browser.js';
import { waitOnline } from './support/dashboard-page.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { screenshot } from './support/screenshots.js';

const SPEC = {
  name: 'router-watch',
  type: 'dynamic',
  description: 'Watches the router admin page and reports changes',
  code: 'export async function handleTask(agent, p) { return { ok: true }; }',
  capabilities: ['fetch', 'fetch_local'],
  env: ['ROUTER_TOKEN'],
};

describe.skipIf(!requireChromium())('approvals (browser, real hub)', () => {
  let hub: TestHub;
  let b: DashboardBrowser;

  beforeAll(async () => {
    hub = await startTestHub();
    hub.llm.respond('openai', (req) => {
      const body = req.body as { messages?: { role: string; content: unknown }[] };
      const system = String(body.messages?.find((m) => m.role === 'system')?.content ?? '');
      if (system.includes('{"intent"')) return '{"intent": "OTHER", "facts": {}}';
      return `I set up a watcher.\n<spawn>${JSON.stringify(SPEC)}</spawn>`;
    });
    b = await launchDashboardBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await hub?.stop();
  });

  const pending = async () => (await hub.api<{ approvals: Approval[] }>('GET', 'approvals?state=pending')).body.approvals;

  it('shows a card for what an LLM asked, with who asked and why; the badge counts it', async () => {
    const { page } = b;
    await page.goto(`${hub.url}#/approvals`);
    await waitOnline(page);
    await page.waitForSelector('[data-testid="approvals-empty"]');

    const reply = await hub.handle.processUserInput('watch my router', { interface: 'test' });
    expect(reply).toMatch(/Spawned router-watch/);
    const [approval] = await pending();
    expect(approval).toBeDefined();

    await page.waitForSelector('[data-testid="approvals-badge"]');
    expect(await page.textContent('[data-testid="approvals-badge"]')).toBe('1');
    const card = page.locator(`[data-testid="approval-card"][data-approval="${approval!.id}"]`);
    await card.waitFor();
    expect(await card.getAttribute('data-agent')).toBe('router-watch');
    expect(await card.locator('[data-testid="approval-asker"]').textContent()).toMatch(/main's LLM \(spawn block\).*running with the safe default/);
    expect(await card.locator('[data-testid="approval-reason"]').textContent()).toBe(SPEC.description);
    expect(await card.locator('[data-testid="approval-item"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')))).toEqual(['fetch', 'fetch_local', 'env:ROUTER_TOKEN']);
    expect(await card.locator('[data-testid="approval-item"][data-key="fetch_local"]').textContent()).toMatch(/this machine/);
    await screenshot(page, 'approvals');
  });

  it('approves a ticked item, then denies the rest: the hub agrees, the refusal is listed', async () => {
    const { page } = b;
    const [approval] = await pending();
    const card = page.locator(`[data-testid="approval-card"][data-approval="${approval!.id}"]`);
    await card.locator('[data-testid="approval-item"][data-key="fetch"] input[type="checkbox"]').check();
    await card.locator('[data-testid="approval-approve"]').click();
    await card.locator('[data-testid="approval-item"][data-key="fetch"][data-state="approved"]').waitFor();
    const after = (await hub.api<Approval>('GET', `approvals/${approval!.id}`)).body;
    expect(after.items.map((i) => [i.key, i.state])).toEqual([
      ['fetch', 'approved'],
      ['fetch_local', 'pending'],
      ['env:ROUTER_TOKEN', 'pending'],
    ]);
    expect(after.decided_by).toBe('rest');

    await card.locator('[data-testid="approval-deny"]').click();
    await page.waitForSelector('[data-testid="approvals-empty"]');
    await page.waitForSelector('[data-testid="approvals-badge"]', { state: 'detached' });
    expect(await pending()).toEqual([]);
    const refusal = page.locator('[data-testid="refusal-row"][data-reason="denied"]');
    await refusal.first().waitFor();
    expect(await refusal.first().textContent()).toMatch(/router-watch/);
  });

  it('lists the grant for review and revokes an item from it', async () => {
    const { page } = b;
    const row = page.locator('[data-testid="grant-row"][data-agent="router-watch"]');
    await row.waitFor();
    await row.locator('[data-testid="grant-revoke"][data-key="fetch"]').click();
    await waitUntil(async () => {
      const grants = (await hub.api<{ grants: AgentGrant[] }>('GET', 'grants')).body.grants;
      return grants.find((g) => g.agent === 'router-watch')?.capabilities.includes('fetch') === false;
    }, 'the hub taking fetch back');
    await row.waitFor({ state: 'detached' });
  });
});
