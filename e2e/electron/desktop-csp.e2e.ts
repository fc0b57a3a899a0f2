/**
 * The dashboard under the desktop app's Content-Security-Policy, in a real Chromium: the real hub
 * serves the real dashboard build, and every response from its origin gets the CSP exactly as the
 * Electron window does (`withCsp`, the function desktop-app's onHeadersReceived uses). Whatever the
 * dashboard needs must still work — MQTT over WebSocket, Monaco and its workers, styles — and what
 * the policy forbids (eval, inline scripts) must be blocked. Runs without the Electron binary, so
 * the policy is checked here and in CI. Needs Debian's chromium (`apt-get install -y chromium`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCsp } from '../../src/main/electron/csp.js';
import type { WactorzHandle } from '../../src/main/wactorz-handle.js';
import { startWactorz } from '../../src/main/wactorz.js';

/**
 * The few browser APIs the page-side callbacks use. This file is type-checked with the Node
 * config (no DOM lib, which would leak into main's types), so they are described here.
 */
interface El {
  textContent: string | null;
  src: string;
  onload: (() => void) | null;
  onerror: (() => void) | null;
  appendChild(child: El): void;
}
interface BrowserGlobals {
  document: {
    head: El;
    createElement(tag: 'script'): El;
    addEventListener(type: 'securitypolicyviolation', cb: (e: { violatedDirective: string; blockedURI: string; sourceFile: string; lineNumber: number }) => void): void;
  };
  getComputedStyle(el: unknown): { color: string };
  URL: { createObjectURL(blob: unknown): string };
  Blob: new (parts: string[], opts: { type: string }) => unknown;
  __inlineRan?: boolean;
  __blobRan?: boolean;
}

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) {
  if (process.env.CI) throw new Error(`e2e/electron/desktop-csp: no Chromium at ${chromiumPath} (apt-get install -y chromium)`);
  console.log(`e2e/electron/desktop-csp: skipped: no Chromium at ${chromiumPath} (apt-get install -y chromium)`);
}

describe.skipIf(!hasChromium)('dashboard under the desktop CSP (Chromium)', () => {
  let stateDir: string;
  let hub: WactorzHandle;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const violations: string[] = [];

  beforeAll(async () => {
    // The dashboard build the hub serves (rebuilt only when its sources changed).
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-headless.mjs'), '--quiet'], { cwd: root, stdio: 'inherit', timeout: 600_000 });
    if (r.status !== 0) throw new Error('building the dashboard failed');
    stateDir = await mkdtemp(join(tmpdir(), 'wactorz-e2e-csp-'));
    hub = await startWactorz(
      { stateDir, llm: { provider: 'none' }, interface: 'none', monitorPort: 0, mqtt: { port: 0 }, dashboardDir: join(root, 'out', 'renderer') },
      { log: () => undefined, env: {} },
    );
    origin = hub.dashboardUrl!;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      // Fulfilling a response through Playwright's interception loses its loopback "address space",
      // and Chromium's Local Network Access checks would then block the page's loopback WebSocket —
      // an artefact of the interception (Electron's onHeadersReceived keeps the real response).
      args: ['--no-sandbox', '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests'],
    });
    page = await browser.newPage();
    await page.addInitScript(() => {
      (globalThis as unknown as BrowserGlobals).document.addEventListener('securitypolicyviolation', (e) =>
        console.log(`csp-violation ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
      );
    });
    page.on('console', (m) => {
      if (m.text().startsWith('csp-violation')) violations.push(m.text());
    });
    await page.route(`${origin}/**`, async (route) => {
      const response = await route.fetch();
      const headers = withCsp(route.request().url(), response.headers(), { appOrigin: origin }) as Record<string, string>;
      // Playwright wants plain string header values.
      const flat = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
      await route.fulfill({ response, headers: flat });
    });
  });

  afterAll(async () => {
    // Monaco's large worker files may still be in flight through the route.
    await page?.unrouteAll({ behavior: 'ignoreErrors' });
    await browser?.close();
    await hub?.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  /** Violations other than blocked eval (zod probes `new Function` once and falls back when it is refused). */
  const unexpected = (): string[] => violations.filter((v) => !v.startsWith('csp-violation script-src eval '));

  it('loads the dashboard and connects MQTT over WebSocket within connect-src', async () => {
    const res = await page.goto(`${origin}/`);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'self'");
    await page.getByTestId('connection-state').and(page.locator('[data-state="online"]')).waitFor({ timeout: 60_000 });
    // The MQTT client runs in the dashboard's bus worker (worker-src 'self'), not the inline fallback.
    expect(await page.getByTestId('connection-state').getAttribute('data-bus')).toBe('worker');
    expect(unexpected()).toEqual([]);
  });

  it('runs the Monaco editor (bundled workers, injected styles) within worker-src and style-src', async () => {
    await page.goto(`${origin}/#/editor`);
    await page.getByTestId('new-agent-name').fill('csp-check');
    await page.getByTestId('new-agent-form').evaluate((f) => (f as unknown as { requestSubmit(): void }).requestSubmit());
    await page.locator('[data-testid="monaco-editor"] .view-line').first().waitFor({ timeout: 60_000 });
    // Syntax colouring comes from Monaco's injected stylesheet (style-src 'unsafe-inline').
    const colours = () => page.locator('[data-testid="monaco-editor"] .view-line span span').evaluateAll((els) => new Set(els.map((e) => (globalThis as unknown as BrowserGlobals).getComputedStyle(e).color)).size);
    await expect.poll(colours, { timeout: 60_000 }).toBeGreaterThan(1);
    expect(unexpected()).toEqual([]);
  });

  it('blocks what the policy forbids: inline and blob: scripts', async () => {
    // (eval is covered by the header itself: no 'unsafe-eval'; DevTools-protocol evaluation, which
    // Playwright uses, is exempt from it, so it cannot be probed from here.)
    const ran = await page.evaluate(async () => {
      const g = globalThis as unknown as BrowserGlobals;
      const inline = g.document.createElement('script');
      inline.textContent = 'globalThis.__inlineRan = true;';
      g.document.head.appendChild(inline);
      const blob = g.document.createElement('script');
      blob.src = g.URL.createObjectURL(new g.Blob(['globalThis.__blobRan = true;'], { type: 'text/javascript' }));
      const settled = new Promise<void>((resolve) => {
        blob.onload = resolve;
        blob.onerror = resolve;
      });
      g.document.head.appendChild(blob);
      await settled;
      return { inline: g.__inlineRan === true, blob: g.__blobRan === true };
    });
    expect(ran).toEqual({ inline: false, blob: false });
    await expect.poll(() => violations.filter((v) => v.startsWith('csp-violation script-src-elem')).length).toBe(2);
  });
});
