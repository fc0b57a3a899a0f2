/**
 * A hub bound beyond loopback requires its token on REST and on MQTT over WebSocket. The dashboard
 * asks for it when missing, takes it once from `?token=` (the link the hub prints), removes it from
 * the address bar, remembers it, and then shows live data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDashboardBrowser, requireChromium, type DashboardBrowser } from './support/browser.js';
import { waitForCount, waitOnline } from './support/dashboard-page.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { screenshot } from './support/screenshots.js';

describe.skipIf(!requireChromium())('dashboard with an access token', () => {
  let hub: TestHub;
  let b: DashboardBrowser;

  beforeAll(async () => {
    hub = await startTestHub({ host: '0.0.0.0' });
    b = await launchDashboardBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await hub?.stop();
  });

  it('the hub requires a token', async () => {
    expect(hub.token).toBeTruthy();
    const res = await fetch(new URL('api/agents', hub.url));
    expect(res.status).toBe(401);
  });

  it('asks for the token when the page has none', async () => {
    const { page } = b;
    await page.goto(hub.url);
    await page.waitForSelector('[data-testid="token-input"]');
    await page.waitForSelector('[data-testid="connection-state"][data-state="locked"]');
    await screenshot(page, 'token-prompt');
  });

  it('connects with a pasted token', async () => {
    const { page } = b;
    await page.fill('[data-testid="token-input"]', hub.token!);
    await page.keyboard.press('Enter');
    await waitOnline(page);
    await waitForCount(page, '[data-testid="agent-row"]', 3, 'atLeast');
  });

  it('takes the token from ?token= once, hides it from the address bar and remembers it', async () => {
    const fresh = await launchDashboardBrowser();
    try {
      const { page } = fresh;
      await page.goto(`${hub.url}?token=${encodeURIComponent(hub.token!)}#/agents`);
      await waitOnline(page);
      await waitForCount(page, '[data-testid="agent-row"]', 3, 'atLeast');
      expect(page.url()).not.toContain('token=');
      expect(page.url()).toContain('#/agents');
      await page.reload();
      await waitOnline(page);
      expect(await page.locator('[data-testid="token-input"]').count()).toBe(0);
    } finally {
      await fresh.close();
    }
  });
});
