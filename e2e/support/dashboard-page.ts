/** Small helpers over the dashboard's data-testid hooks. */
import type { Page } from 'playwright-core';

export async function waitOnline(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForSelector('[data-testid="connection-state"][data-state="online"]', { timeout });
}

export async function openView(page: Page, view: 'agents' | 'chat' | 'logs' | 'editor' | 'catalog' | 'alerts' | 'settings'): Promise<void> {
  await page.click(`[data-testid="nav-${view}"]`);
  await page.waitForSelector(`[data-testid="view-${view}"]`);
}

export async function agentNames(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid="agent-row"]', (rows) => rows.map((r) => r.getAttribute('data-agent-name') ?? ''));
}

/**
 * Replaces everything in the Monaco editor with `text`, as a paste (typing would trigger
 * auto-closing brackets and auto-indent, so the result would not be `text`).
 */
export async function replaceEditorText(page: Page, text: string): Promise<void> {
  await page.click('[data-testid="monaco-editor"] .view-lines');
  await page.keyboard.press('ControlOrMeta+A');
  await page.evaluate((t) => {
    const w = globalThis as unknown as {
      document: { activeElement: { dispatchEvent(e: unknown): boolean } | null };
      DataTransfer: new () => { setData(type: string, value: string): void };
      ClipboardEvent: new (type: string, init: { clipboardData: unknown; bubbles: boolean; cancelable: boolean }) => unknown;
    };
    const data = new w.DataTransfer();
    data.setData('text/plain', t);
    w.document.activeElement?.dispatchEvent(new w.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
  await page.waitForFunction(
    (t) => {
      const el = (globalThis as unknown as { document: { querySelector(s: string): { innerText: string } | null } }).document.querySelector('[data-testid="monaco-editor"] .view-lines');
      return el !== null && el.innerText.replace(/\u00a0/g, ' ').trim() === t.trim();
    },
    text,
  );
}

/** The text Monaco shows (its rendered lines; non-breaking spaces normalised). */
export async function editorText(page: Page): Promise<string> {
  return page.$eval('[data-testid="monaco-editor"] .view-lines', (el) => (el as unknown as { innerText: string }).innerText.replace(/\u00a0/g, ' '));
}

/** The page's DOM as far as these helpers need it (the e2e compiles without DOM types). */
interface MiniElement {
  getAttribute(name: string): string | null;
  textContent: string | null;
  dataset: Record<string, string | undefined>;
}
interface MiniDocument {
  querySelectorAll(selector: string): ArrayLike<MiniElement>;
  activeElement: MiniElement | null;
  body: unknown;
}
interface MiniWindow {
  document: MiniDocument;
  getComputedStyle(el: unknown): { backgroundColor: string };
}

/** Waits until `selector` matches exactly / at least `n` elements. */
export async function waitForCount(page: Page, selector: string, n: number, mode: 'exactly' | 'atLeast' = 'exactly', timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    ({ selector, n, mode }) => {
      const count = (globalThis as unknown as MiniWindow).document.querySelectorAll(selector).length;
      return mode === 'exactly' ? count === n : count >= n;
    },
    { selector, n, mode },
    { timeout },
  );
}

/** Waits until the focused element has this data-testid. */
export async function waitForFocus(page: Page, testId: string): Promise<void> {
  await page.waitForFunction((id) => (globalThis as unknown as MiniWindow).document.activeElement?.getAttribute('data-testid') === id, testId);
}

/** Waits for a moment where the newest assistant reply is still streaming and already shows `text`. */
export async function waitForStreamingReply(page: Page, text: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    (t) => {
      const all = (globalThis as unknown as MiniWindow).document.querySelectorAll('[data-testid="chat-message"][data-role="assistant"]');
      const last = all[all.length - 1];
      return last?.dataset.streaming === 'true' && (last.textContent ?? '').includes(t);
    },
    text,
    { polling: 'raf', timeout },
  );
}

export async function bodyBackground(page: Page): Promise<string> {
  return page.evaluate(() => {
    const w = globalThis as unknown as MiniWindow;
    return w.getComputedStyle(w.document.body).backgroundColor;
  });
}
