/**
 * Issue 15's "Done when": the original Wactorz dashboard works against this hub as it did against
 * its own backend. The page is e2e/support/original-dashboard/ — written from the original's
 * frontend sources (the frames and fields it sends and reads, the topics it subscribes to, its
 * same-origin /api, /mqtt and /ws), not from our server — driven in Debian's Chromium against a
 * real hub whose LLM is the scripted LLM server:
 * - served by the hub itself (as the original monitor served its static/app): agents with live
 *   heartbeats, chat with main from the default target, from main's card (`@main …`) and with
 *   `@main-actor …` — each answer and each message shown once — the card buttons (through /ws),
 *   and a spawned agent in the spawn feed;
 * - served by a reverse proxy on another origin (the nginx set-up of docs/compatibility.md):
 *   refused (/ws and /mqtt answer 403) until WACTORZ_ALLOWED_ORIGINS names the page's origin, then
 *   working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { sentRequest } from '../src/main/agents/llm/testing/sent-request.js';
import { waitUntil } from '../src/main/testing/wait.js';
import { launchDashboardBrowser, requireChromium, type DashboardBrowser } from './support/browser.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { prepareOriginalDashboard, startReverseProxy, type ReverseProxy } from './support/original-site.js';
import { screenshot } from './support/screenshots.js';

const ECHO = `export async function handleTask(agent, payload) { return { echoed: payload }; }`;

/** main answers with what it was asked, streamed in small chunks. */
function scriptMain(hub: TestHub): void {
  hub.llm.respond('openai', (req) => ({ kind: 'text', text: `You said: ${sentRequest(req).lastUser}`, chunkDelayMs: 20 }));
}

const card = (page: Page, name: string) => page.locator('.af-card', { has: page.locator('.af-card-name', { hasText: new RegExp(`^${name}$`) }) });

async function waitLive(page: Page): Promise<void> {
  await page.locator('.af-conn-badge', { hasText: 'live' }).waitFor({ timeout: 30_000 });
}

/** Types a message in the chat bar and waits for main's answer in the open thread. */
async function chat(page: Page, text: string, answer: string): Promise<void> {
  await page.fill('#af-iobar-input', text);
  await page.press('#af-iobar-input', 'Enter');
  await page.locator('.af-chat-msg-agent .af-chat-msg-bubble', { hasText: answer }).first().waitFor({ timeout: 30_000 });
}

/** Every bubble of the open thread, the user's or the agents', in order. */
async function bubbles(page: Page, kind: 'user' | 'agent'): Promise<string[]> {
  return page.locator(`.af-chat-msg-${kind} .af-chat-msg-bubble`).allTextContents();
}

async function openView(page: Page, view: 'overview' | 'feed' | 'chat'): Promise<void> {
  await page.click(`.af-view-btn[data-view="${view}"]`);
}

describe.skipIf(!requireChromium())('the original dashboard (browser, real hub)', () => {
  let site: Awaited<ReturnType<typeof prepareOriginalDashboard>>;
  let b: DashboardBrowser;
  beforeAll(async () => {
    site = await prepareOriginalDashboard();
    b = await launchDashboardBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await site?.cleanup();
  });

  describe('served by the hub (one origin, as its monitor served it)', () => {
    let hub: TestHub;
    const ioChats: unknown[] = [];
    beforeAll(async () => {
      hub = await startTestHub({ dashboardDir: site.dir, heartbeatMs: 1_000 });
      scriptMain(hub);
      hub.handle.bus.subscribe('io/chat', (_t, p) => ioChats.push(p.toString()));
      expect((await hub.api('POST', 'agents', { name: 'worker', code: ECHO })).status).toBe(201);
    });
    afterAll(async () => {
      await hub?.stop();
    });

    it('lists the hub’s agents, and their heartbeats arrive live over /mqtt', async () => {
      const { page } = b;
      await page.goto(hub.url);
      await waitLive(page);
      for (const name of ['main', 'monitor', 'io', 'worker']) await card(page, name).waitFor();
      // ♥ "now" / "3s ago" once a heartbeat came in (— before).
      await expect.poll(() => card(page, 'worker').locator('.af-card-hb-time').textContent(), { timeout: 15_000 }).toMatch(/now|s ago/);
      expect(await card(page, 'main').locator('.af-card-protected').count()).toBe(1);
      expect(await card(page, 'main').locator('[data-action="delete"]').count()).toBe(0);
      await screenshot(page, 'original-dashboard-overview');
    });

    it('chats with main from the default target, from main’s card (@main …) and with @main-actor — each message and each answer shown once', async () => {
      const { page } = b;
      await openView(page, 'chat');
      await page.locator('.af-chat-pane-title', { hasText: '@main-actor' }).waitFor();
      await chat(page, 'hello default', 'You said: hello default');
      await chat(page, '@main-actor how are you', 'You said: how are you');
      // main's card: the dashboard prefixes `@main`.
      await openView(page, 'overview');
      await card(page, 'main').locator('.af-chat-btn').click();
      await page.locator('.af-chat-pane-title', { hasText: '@main' }).waitFor();
      await chat(page, 'hi from the card', 'You said: hi from the card');
      // A copy of the exchange on MQTT would come before this marker (same broker, same order):
      // once the marker is shown, nothing else is on its way.
      hub.handle.bus.publish('agents/marker/chat', { from: 'main', to: 'user', content: 'marker', timestamp: Date.now() / 1000 });
      await page.locator('.af-chat-msg-agent .af-chat-msg-bubble', { hasText: 'marker' }).waitFor();
      expect(await bubbles(page, 'user')).toEqual(['hi from the card']);
      expect(await bubbles(page, 'agent')).toEqual(['You said: hi from the card', 'marker']);
      await screenshot(page, 'original-dashboard-chat');
      await page.selectOption('#af-target-select', 'main-actor');
      await page.locator('.af-chat-pane-title', { hasText: '@main-actor' }).waitFor();
      expect(await bubbles(page, 'user')).toEqual(['hello default', '@main-actor how are you']);
      expect(await bubbles(page, 'agent')).toEqual(['You said: hello default', 'You said: how are you']);
      // Over /ws (direct_ws), never io/chat.
      expect(ioChats).toEqual([]);
      expect(b.errors).toEqual([]);
    });

    it('the card buttons pause, resume, stop and delete through /ws', async () => {
      const { page } = b;
      await openView(page, 'overview');
      const worker = card(page, 'worker');
      const press = async (action: string, state: string) => {
        await worker.locator(`[data-action="${action}"]`).click();
        await worker.locator('.af-card-state-label', { hasText: state }).waitFor();
        expect(hub.handle.system.get('worker')?.state).toBe(state);
      };
      await press('pause', 'paused');
      await press('resume', 'running');
      await press('stop', 'stopped');
      expect(await worker.locator('[data-action="pause"], [data-action="stop"]').count()).toBe(0);
      await worker.locator('[data-action="delete"]').click();
      await waitUntil(() => hub.handle.system.get('worker') === undefined, 'the hub deleted worker');
      await page.reload();
      await waitLive(page);
      await card(page, 'main').waitFor();
      expect(await card(page, 'worker').count()).toBe(0);
    });

    it('a spawned agent appears in the spawn feed', async () => {
      const { page } = b;
      await openView(page, 'feed');
      expect((await hub.api('POST', 'agents', { name: 'newbie', code: ECHO })).status).toBe(201);
      await page.locator('.af-feed-item[data-type="spawn"]', { hasText: 'newbie' }).filter({ hasText: 'spawned (dynamic)' }).waitFor();
      await openView(page, 'overview');
      await card(page, 'newbie').waitFor();
      await screenshot(page, 'original-dashboard-feed');
    });
  });

  describe('served by a reverse proxy on another origin (nginx, as docs/compatibility.md shows)', () => {
    let proxy: ReverseProxy;
    const hubs: TestHub[] = [];
    afterAll(async () => {
      await proxy?.close();
      for (const h of hubs) await h.stop();
    });

    it('is refused until WACTORZ_ALLOWED_ORIGINS names its origin, then works', async () => {
      const { page } = b;
      const strict = await startTestHub({ dashboardDir: site.dir, heartbeatMs: 1_000 });
      hubs.push(strict);
      proxy = await startReverseProxy({ root: site.dir, upstream: strict.url });
      await page.goto(proxy.url);
      // Its REST calls pass (plain same-origin GETs), its WebSockets do not.
      await card(page, 'main').waitFor();
      await waitUntil(() => ['/ws', '/mqtt'].every((p) => proxy.upgrades.some((u) => u.path === p && u.status === 403)), 'both upgrades refused');
      expect(proxy.upgrades.every((u) => u.status === 403)).toBe(true);
      await openView(page, 'chat');
      await page.fill('#af-iobar-input', 'anyone there?');
      await page.press('#af-iobar-input', 'Enter');
      await page.locator('.af-chat-msg-agent', { hasText: 'Not connected' }).waitFor();
      expect(strict.llm.requests).toEqual([]);

      const allowing = await startTestHub({ dashboardDir: site.dir, heartbeatMs: 1_000, env: { WACTORZ_ALLOWED_ORIGINS: proxy.origin } });
      hubs.push(allowing);
      scriptMain(allowing);
      expect((await allowing.api('POST', 'agents', { name: 'worker', code: ECHO })).status).toBe(201);
      proxy.upstream = allowing.url;
      const before = proxy.upgrades.length;
      await page.reload();
      await waitLive(page);
      await expect.poll(() => card(page, 'worker').locator('.af-card-hb-time').textContent(), { timeout: 15_000 }).toMatch(/now|s ago/);
      expect(proxy.upgrades.slice(before).filter((u) => u.status === 101).map((u) => u.path).sort()).toEqual(['/mqtt', '/ws']);
      await openView(page, 'chat');
      await chat(page, 'through the proxy', 'You said: through the proxy');
      await openView(page, 'overview');
      await card(page, 'worker').locator('[data-action="pause"]').click();
      await card(page, 'worker').locator('.af-card-state-label', { hasText: 'paused' }).waitFor();
      expect(allowing.handle.system.get('worker')?.state).toBe('paused');
      await screenshot(page, 'original-dashboard-proxied');
    });
  });
});
