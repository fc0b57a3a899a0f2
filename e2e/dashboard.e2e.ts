/**
 * The dashboard in a real browser (Debian's Chromium) against a real headless hub whose LLM is the
 * scripted LLM server: agents appear and stay live, search and filters, agent detail, chat streams
 * a markdown reply and keeps its history, @mention autocomplete, live logs with level filter,
 * alerts as toasts and a list, settings, keyboard shortcuts and the OS dark theme. Screenshots of
 * each view go to test-output/dashboard/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../src/shared/topics.js';
import { launchDashboardBrowser, requireChromium, type DashboardBrowser } from './support/browser.js';
import { agentNames, bodyBackground, openView, waitForCount, waitForFocus, waitForStreamingReply, waitOnline } from './support/dashboard-page.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { screenshot } from './support/screenshots.js';

const ROW = '[data-testid="agent-row"]';
const REPLY = 'Hello **there**! Here is some code:\n\n```js\nconsole.log("<b>not bold</b>");\n```\n\nAnd a list:\n\n- one\n- two';

describe.skipIf(!requireChromium())('dashboard (browser, real hub)', () => {
  let hub: TestHub;
  let b: DashboardBrowser;

  beforeAll(async () => {
    hub = await startTestHub();
    hub.llm.respond('openai', () => ({ kind: 'text', text: REPLY, chunkDelayMs: 120 }));
    b = await launchDashboardBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await hub?.stop();
  });

  it('lists every actor, live, and goes online', async () => {
    const { page } = b;
    await page.goto(hub.url);
    await waitOnline(page);
    await waitForCount(page, ROW, 3, 'atLeast');
    expect((await agentNames(page)).sort()).toEqual(expect.arrayContaining(['io', 'main', 'monitor']));
    // Heartbeats arrive over MQTT and keep every core actor healthy.
    await page.waitForSelector('[data-testid="agent-row"][data-agent-name="main"][data-health="ok"]');
    await screenshot(page, 'agents');
  });

  it('searches with the keyboard shortcut and filters by kind', async () => {
    const { page } = b;
    await page.keyboard.press('ControlOrMeta+k');
    await waitForFocus(page, 'agent-search');
    await page.keyboard.type('monit');
    await waitForCount(page, ROW, 1);
    expect(await agentNames(page)).toEqual(['monitor']);
    await page.fill('[data-testid="agent-search"]', '');
    await page.selectOption('[data-testid="kind-filter"]', 'dynamic');
    await waitForCount(page, ROW, 0);
    await page.selectOption('[data-testid="kind-filter"]', 'all');
    await waitForCount(page, ROW, 3, 'atLeast');
  });

  it('shows an agent’s detail: state, metrics, manifest, actions', async () => {
    const { page } = b;
    await page.click('[data-testid="agent-row"][data-agent-name="monitor"]');
    await page.waitForSelector('[data-testid="agent-detail"][data-agent-name="monitor"]');
    await page.waitForSelector('[data-testid="heartbeat-timeline"] rect.tick');
    const metrics = await page.textContent('[data-testid="agent-metrics"]');
    expect(metrics).toContain('Actor id');
    // Protected actors cannot be stopped or deleted from the UI.
    expect(await page.isDisabled('[data-testid="action-stop"]')).toBe(true);
    expect(await page.isDisabled('[data-testid="action-delete"]')).toBe(true);
    await screenshot(page, 'agent-detail');
  });

  it('streams a chat reply, renders its markdown safely, and keeps the history across reloads', async () => {
    const { page } = b;
    await openView(page, 'chat');
    await page.click('[data-testid="chat-input"]');
    await page.keyboard.type('hello there');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="chat-message"][data-role="user"]:has-text("hello there")');
    // While it streams, part of the reply is already on screen.
    await waitForStreamingReply(page, 'Hello');
    await page.waitForSelector('[data-testid="chat-message"][data-role="assistant"][data-streaming="false"] strong:has-text("there")', { timeout: 30_000 });
    const last = page.locator('[data-testid="chat-message"][data-role="assistant"]').last();
    expect(await last.locator('li').allTextContents()).toEqual(['one', 'two']);
    // HTML in the reply is text, not markup.
    expect(await last.locator('[data-testid="code-block"] code').textContent()).toBe('console.log("<b>not bold</b>");');
    expect(await last.locator('b').count()).toBe(0);
    await screenshot(page, 'chat');

    await page.reload();
    await waitOnline(page);
    await page.waitForSelector('[data-testid="chat-message"][data-role="assistant"] strong:has-text("there")');
    expect(await page.locator('[data-testid="chat-message"][data-role="user"]').last().textContent()).toContain('hello there');
  });

  it('completes @mentions of agent names', async () => {
    const { page } = b;
    await page.keyboard.press('ControlOrMeta+j');
    await waitForFocus(page, 'chat-input');
    await page.keyboard.type('ask @mon');
    await page.waitForSelector('[data-testid="mention-option"]:has-text("@monitor")');
    await page.keyboard.press('Tab');
    expect(await page.inputValue('[data-testid="chat-input"]')).toBe('ask @monitor ');
    await page.fill('[data-testid="chat-input"]', '');
  });

  it('tails logs live and filters them by level', async () => {
    const { page } = b;
    await openView(page, 'logs');
    // io logs a warning for every malformed io/chat message.
    hub.handle.bus.publish(topics.ioChat, 'this is not json');
    await page.waitForSelector('[data-testid="log-line"][data-level="warning"]:has-text("malformed")', { timeout: 20_000 });
    await page.click('[data-testid="log-level-warning"]');
    await page.waitForSelector('[data-testid="log-line"][data-level="warning"]', { state: 'detached' });
    await page.click('[data-testid="log-level-warning"]');
    await page.waitForSelector('[data-testid="log-line"][data-level="warning"]');
    await screenshot(page, 'logs');
  });

  it('raises alerts as toasts and lists them; malformed alerts are ignored', async () => {
    const { page } = b;
    await openView(page, 'agents');
    const monitor = (await hub.api<{ id: string; name: string }[]>('GET', 'agents')).body.find((a) => a.name === 'monitor')!;
    hub.handle.bus.publish(topics.agent(monitor.id, 'alert'), { nonsense: true });
    hub.handle.bus.publish(topics.agent(monitor.id, 'alert'), { actor_id: monitor.id, name: 'monitor', message: 'e2e: kitchen sensor silent for 61 s', severity: 'warning', timestamp: Date.now() / 1000 });
    await page.waitForSelector('[data-testid="toast"][data-severity="warning"]:has-text("kitchen sensor")');
    await page.waitForSelector('[data-testid="nav-alerts"] .nav-badge');
    await openView(page, 'alerts');
    await page.waitForSelector('[data-testid="alert-item"]:has-text("kitchen sensor")');
    expect(await page.locator('[data-testid="alert-item"]').count()).toBe(1);
    await screenshot(page, 'alerts');
  });

  it('edits the hub settings; secrets are write-only', async () => {
    const { page } = b;
    await openView(page, 'settings');
    await page.waitForSelector('[data-testid="settings-form"]');
    expect(await page.inputValue('[data-testid="settings-provider"]')).toBe('openai');
    expect(await page.getAttribute('[data-testid="settings-api-key"]', 'placeholder')).toMatch(/stored/);
    await page.fill('[data-testid="settings-ha-url"]', 'http://127.0.0.1:9');
    await page.fill('[data-testid="settings-ha-token"]', 'e2e-ha-token');
    await page.click('[data-testid="settings-save"]');
    await page.waitForSelector('[data-testid="settings-result"]:has-text("Saved")', { timeout: 30_000 });
    const saved = await hub.api<{ homeAssistant: { url: string | null; tokenSet: boolean } }>('GET', 'settings');
    expect(saved.body.homeAssistant).toMatchObject({ url: 'http://127.0.0.1:9', tokenSet: true });
    // The token never comes back to the page: the field is empty and says a value is stored.
    expect(await page.inputValue('[data-testid="settings-ha-token"]')).toBe('');
    expect(await page.getAttribute('[data-testid="settings-ha-token"]', 'placeholder')).toMatch(/stored/);
    expect(JSON.stringify(saved.body)).not.toContain('e2e-ha-token');
    await screenshot(page, 'settings');
  });

  it('follows the OS dark theme', async () => {
    const { page } = b;
    await openView(page, 'agents');
    const light = await bodyBackground(page);
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await bodyBackground(page);
    expect(dark).not.toBe(light);
    const [r, g, bl] = dark.match(/\d+/g)!.map(Number);
    expect(r! + g! + bl!).toBeLessThan(150);
    await screenshot(page, 'agents-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('ran without page errors', () => {
    // Routes other helpers have not shipped yet answer 404; anything else is a bug.
    expect(b.errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
