/**
 * The desktop app, end to end, with Playwright's Electron driver: the window opens on the hub's
 * own dashboard origin, the dashboard loads (with the preload API and without Node), closing
 * hides it to the tray while the process and the hub keep running, and a second launch focuses
 * the first instance. Runs wherever the Electron binary is installed (scripts/electron-binary.mjs);
 * elsewhere the suite is skipped with "skipped: no Electron binary".
 * On Linux without a display, run it under `xvfb-run -a npm run test:e2e`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
// A plain .mjs helper shared with `npm start`; imported by path so TypeScript does not need its types.
const helperPath = join(root, 'scripts', 'electron-binary.mjs');
const { electronBinaryPath } = (await import(pathToFileURL(helperPath).href)) as { electronBinaryPath(): string | null };

const binary = electronBinaryPath();
const needsDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const skipReason = !binary ? 'skipped: no Electron binary' : needsDisplay ? 'skipped: no display (run under xvfb-run -a)' : null;
if (skipReason) console.log(`e2e/electron: ${skipReason}`);
if (skipReason && process.env.CI && binary) throw new Error(`e2e/electron: ${skipReason} — CI has the Electron binary, so it must provide a display`);

/** Electron's module ABI, as the app computes the better-sqlite3 file name. */
function electronAbi(bin: string): string {
  const r = spawnSync(bin, ['-p', 'process.versions.modules'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot run ${bin}: ${r.stderr}`);
  return r.stdout.trim();
}

function run(args: string[], what: string): void {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status})`);
}

describe.skipIf(skipReason !== null)('desktop app (Electron)', () => {
  let userData: string;
  let app: ElectronApplication;
  let win: Page;
  let origin: string;
  const output: string[] = [];
  const env = (): Record<string, string> => {
    const e: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ELECTRON_RUN_AS_NODE') e[k] = v;
    return { ...e, WACTORZ_USER_DATA_DIR: userData, WACTORZ_TRAY_PANEL: 'dark' };
  };

  beforeAll(async () => {
    const bin = binary!;
    // better-sqlite3 for Electron's ABI (the node_modules build is Node's, for the unit tests).
    const abi = electronAbi(bin);
    if (!existsSync(join(root, 'resources', 'native', `better_sqlite3-electron-abi${abi}-${process.platform}-${process.arch}.node`))) {
      run([join(root, 'resources', 'native', 'build-electron-sqlite.mjs')], 'building better-sqlite3 for Electron');
    }
    run([join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], 'electron-vite build');

    userData = await mkdtemp(join(tmpdir(), 'wactorz-e2e-electron-'));
    await mkdir(userData, { recursive: true });
    // Ephemeral ports: the test must not collide with a hub on 8888/1883.
    await writeFile(join(userData, 'settings.json'), JSON.stringify({ serveOtherDevices: false, mqttPort: 0, llm: { provider: 'none' } }));

    app = await _electron.launch({ executablePath: bin, args: [root], env: env(), timeout: 120_000 });
    app.process().stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    app.process().stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    win = await app.firstWindow({ timeout: 120_000 });
  });

  afterAll(async () => {
    if (app) {
      const exited = new Promise<void>((resolve) => app.process().once('exit', () => resolve()));
      await app.close().catch(() => undefined);
      await exited;
    }
    if (userData) await rm(userData, { recursive: true, force: true });
  });

  const appLog = (): string => `\n--- app output ---\n${output.join('').slice(-4000)}`;
  const windowVisible = (): Promise<boolean> =>
    app.evaluate(({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0];
      return Boolean(w && !w.isDestroyed() && w.isVisible());
    });

  it('opens its window on the hub’s own dashboard origin', async () => {
    await win.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/$/, { timeout: 120_000 }).catch((e: Error) => {
      throw new Error(`${e.message}${appLog()}`);
    });
    origin = new URL(win.url()).origin;
    await vi.waitFor(async () => expect(await windowVisible()).toBe(true), { timeout: 30_000, interval: 200 });
  });

  it('loads the dashboard with the preload API, a strict CSP and no Node in the page', async () => {
    await win.waitForSelector('#root > *', { timeout: 60_000 });
    expect(await win.title()).toMatch(/Wactorz/);
    const page = await win.evaluate(async () => {
      const g = globalThis as unknown as {
        wactorz?: { isDesktop: boolean; connection(): { baseUrl: string; token: string | null } };
        require?: unknown;
        process?: unknown;
        location: { href: string; origin: string };
        fetch: (u: string) => Promise<{ headers: { get(n: string): string | null } }>;
      };
      const res = await g.fetch(g.location.href);
      return {
        isDesktop: g.wactorz?.isDesktop,
        connection: g.wactorz?.connection(),
        hasRequire: typeof g.require !== 'undefined',
        hasProcess: typeof g.process !== 'undefined',
        csp: res.headers.get('content-security-policy'),
        origin: g.location.origin,
      };
    });
    expect(page.isDesktop).toBe(true);
    expect(page.connection).toEqual({ baseUrl: origin, token: null });
    expect(page.hasRequire).toBe(false);
    expect(page.hasProcess).toBe(false);
    expect(page.csp).toContain("script-src 'self'");
    expect(page.csp).toContain(`connect-src 'self' ws://${new URL(origin).host}`);
    // The hub serves browsers too (same origin, same API).
    expect((await fetch(`${origin}/api/health`)).status).toBe(200);
  });

  it('refuses IPC with bad arguments and navigation away from the app', async () => {
    const err = await win.evaluate(async () => {
      const g = globalThis as unknown as { wactorz: { openExternal(u: string): Promise<void> } };
      return g.wactorz.openExternal('file:///etc/passwd').then(
        () => 'opened',
        (e: Error) => e.message,
      );
    });
    expect(err).toMatch(/only http\(s\)/);
    // The attempt is decided at once, by the main process's will-navigate guard (recorded here,
    // after the guard ran) or by Chromium itself, which refuses file:// from a web page with a
    // console message: either one is the marker that the attempt is over.
    await app.evaluate(({ BrowserWindow }) => {
      const g = globalThis as unknown as { navigations: { url: string; prevented: boolean }[] };
      g.navigations = [];
      BrowserWindow.getAllWindows()[0]!.webContents.on('will-navigate', (e) => g.navigations.push({ url: e.url, prevented: e.defaultPrevented }));
    });
    const refused: string[] = [];
    win.on('console', (m) => {
      if (/Not allowed to load local resource/.test(m.text())) refused.push(m.text());
    });
    await win.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'file:///etc/passwd';
    });
    await vi.waitFor(
      async () => {
        const navigations = await app.evaluate(() => (globalThis as unknown as { navigations: { url: string; prevented: boolean }[] }).navigations);
        expect(navigations.length + refused.length).toBeGreaterThan(0);
        for (const n of navigations) expect(n, 'a navigation let through').toMatchObject({ prevented: true });
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(new URL(win.url()).origin).toBe(origin);
  });

  it('hides to the tray on close: window hidden, process and hub alive', async () => {
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
    await vi.waitFor(async () => expect(await windowVisible()).toBe(false), { timeout: 30_000, interval: 200 });
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    expect(app.process().exitCode).toBeNull();
    expect((await fetch(`${origin}/api/health`)).status).toBe(200);
  });

  it('a second launch hands over to the first, which shows its window', async () => {
    expect(await windowVisible()).toBe(false);
    const second = spawn(binary!, [root], { env: env(), stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => second.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    await vi.waitFor(async () => expect(await windowVisible()).toBe(true), { timeout: 30_000, interval: 200 });
    expect(app.process().exitCode).toBeNull();
  });
});
