/**
 * The desktop app's composition: the hub (startWactorz, state under userData), the window on the
 * hub's own dashboard origin, the tray, notifications, secrets and IPC. Decisions live in the
 * pure modules beside this file; this one wires them to Electron.
 */
import { app, dialog, nativeImage, nativeTheme, Notification, session, type BrowserWindow } from 'electron';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DesktopConnection, DesktopNotification, DesktopSettings, DesktopSettingsPatch, SecretName } from '../../shared/desktop-api.js';
import type { WactorzConfigInput } from '../config/config.js';
import type { WactorzHandle } from '../wactorz-handle.js';
import { startWactorz } from '../wactorz.js';
import { isLoopback } from '../server/access-token.js';
import { dynamicAgentCommands } from './agent-commands.js';
import { installAppMenu } from './app-menu.js';
import { windowOriginFor } from './app-origin.js';
import { AppTray } from './app-tray.js';
import { createAppWindow, revealWindow } from './app-window.js';
import { watchBus } from './bus-watcher.js';
import { buildHubConfig, type SecretValues } from './desktop-config.js';
import { loadSettings, needsHubRestart, SettingsStore } from './desktop-settings.js';
import { HubRunner } from './hub-runner.js';
import { HubStatus } from './hub-status.js';
import { createIpcHandlers } from './ipc-handlers.js';
import { registerIpc } from './ipc-main.js';
import { createLoginItem, launchedAtLogin, type LoginItem } from './login-item.js';
import { resolveNativeBinding } from './native-binding.js';
import { NotificationPolicy, type NotificationRequest } from './notification-policy.js';
import { openSecretStore } from './safe-storage-cipher.js';
import { redact } from '../base/redact.js';
import { SECRET_NAMES } from './secret-names.js';
import type { SecretStore } from './secret-store.js';
import type { TrayAction } from './tray-menu-model.js';
import { hardenAllWebContents, hardenSession, openExternalSafely, type AppOrigins } from './web-hardening.js';
import type { Logger } from '../base/logger.js';

/** Main-process log lines. Never given a config object or a secret: messages only. */
export const log: Logger = (level, message) => {
  if (level === 'debug' && !process.env.WACTORZ_DEBUG) return;
  const line = `[wactorz-desktop] ${level}: ${redact(message)}`;
  if (level === 'error' || level === 'warning') console.error(line);
  else console.log(line);
};

const TRAY_REFRESH_MS = 500;
const RESTART_DEBOUNCE_MS = 400;
const STOP_TIMEOUT_MS = 20_000;

export class DesktopApp {
  private window: BrowserWindow | null = null;
  private tray: AppTray | null = null;
  private secrets!: SecretStore;
  private secretsWarning: string | undefined;
  private settings!: SettingsStore;
  private loginItem: LoginItem = createLoginItem();
  private openAtLogin = false;
  private readonly status = new HubStatus();
  private readonly policy = new NotificationPolicy();
  // The hub keeps its secrets (keys saved from the dashboard, agents' env values) in the keychain
  // too; with no keychain, in the state dir's owner-only file as headless (never only in memory:
  // agents' values must survive a restart).
  private readonly runner = new HubRunner({
    start: (config) => startWactorz(config, { log: (level, message) => log(level, `hub: ${message}`), onTokenRotated: (token) => void this.tokenRotated(token), ...(this.secrets.kind === 'keychain' ? { secrets: this.secrets } : {}) }),
    log,
  });
  private appOrigin: string | null = null;
  private token: string | null = null;
  private stopWatching: (() => void) | null = null;
  private trayTimer: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private quitting = false;
  private stopped = false;
  /** electron-vite dev server (development only): the window loads it for hot reload. */
  private readonly devUrl = !app.isPackaged && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : null;
  private readonly devOrigin = this.devUrl ? new URL(this.devUrl).origin : null;

  private readonly origins: AppOrigins = {
    trusted: () => [this.appOrigin, this.devOrigin].filter((o): o is string => o !== null),
    isDev: (origin) => origin === this.devOrigin,
  };

  /** Call once, before app 'ready' (the web-contents rules must be in place before any window). */
  run(): void {
    hardenAllWebContents(this.origins);
    app.on('second-instance', () => revealWindow(this.window));
    app.on('activate', () => revealWindow(this.window)); // macOS dock click
    // The tray app stays alive with no window open.
    app.on('window-all-closed', () => undefined);
    app.on('before-quit', (event) => {
      this.quitting = true;
      if (this.stopped) return;
      event.preventDefault();
      void this.shutdown().finally(() => {
        this.stopped = true;
        app.quit();
      });
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
    app
      .whenReady()
      .then(() => this.boot())
      .catch((e: unknown) => {
        // Nothing to show and nothing to quit from: say why and leave.
        const message = e instanceof Error ? e.message : String(e);
        log('error', `the desktop app could not start: ${message}`);
        dialog.showErrorBox('Wactorz could not start', message);
        app.exit(1);
      });
  }

  private async boot(): Promise<void> {
    const userData = app.getPath('userData');
    hardenSession(session.defaultSession, this.origins);

    const opened = await openSecretStore(userData);
    this.secrets = opened.store;
    this.secretsWarning = opened.warning;
    if (opened.warning) log('warning', opened.warning);

    const loaded = await loadSettings(join(userData, 'settings.json'));
    if (loaded.warning) log('warning', loaded.warning);
    this.settings = new SettingsStore(join(userData, 'settings.json'), loaded.settings);

    this.token = await this.dashboardToken();
    this.openAtLogin = await this.loginItem.get().catch(() => false);

    const resources = join(app.getAppPath(), 'resources');
    this.tray = new AppTray(join(resources, 'icons'), (action) => this.onTrayAction(action));
    nativeTheme.on('updated', () => this.refreshTray()); // macOS menu bar turned light/dark: other icon
    installAppMenu({ dev: !app.isPackaged, hideWindow: () => this.window?.hide(), quit: () => app.quit() });
    registerIpc(createIpcHandlers(this.services()), () => this.origins.trusted(), () => this.connection());

    this.window = createAppWindow({
      preloadPath: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
      iconPath: join(resources, 'icons', 'icon.png'),
      isQuitting: () => this.quitting,
    });
    const startHidden = launchedAtLogin();
    this.window.once('ready-to-show', () => {
      if (!startHidden) revealWindow(this.window);
    });
    this.window.webContents.on('did-fail-load', (_e, code, description, url) => log('warning', `the window could not load ${url}: ${description} (${code})`));
    this.refreshTray();

    await this.startHub();
  }

  private async startHub(restart = false): Promise<void> {
    this.stopWatching?.();
    this.stopWatching = null;
    this.status.setConnection('starting');
    this.refreshTray();
    const previous = { origin: this.appOrigin, token: this.runner.handle?.dashboardToken ?? null };
    let handle: WactorzHandle;
    try {
      const config = await this.hubConfig();
      handle = restart ? await this.runner.restart(config) : await this.runner.start(config);
    } catch (e) {
      this.status.setConnection('stopped');
      this.refreshTray();
      void this.reportStartFailure(e as Error);
      return;
    }
    if (!handle.dashboardUrl) {
      log('error', 'the hub runs without a dashboard server; the window has nothing to show');
      return;
    }
    this.appOrigin = windowOriginFor(handle.dashboardUrl);
    log('info', `hub running: dashboard ${this.appOrigin}, MQTT port ${handle.mqttPort} (${handle.mqttMode}); ${handle.llmSummary}`);
    if (this.runner.portFallback) {
      this.notify({
        title: 'Wactorz runs on other ports',
        body: `A port it needs was in use. The dashboard is at ${this.appOrigin} for this session.`,
        urgency: 'normal',
      });
    }
    this.stopWatching = watchBus({
      bus: handle.bus,
      status: this.status,
      policy: this.policy,
      prefs: () => this.settings.get().notifications,
      windowFocused: () => Boolean(this.window?.isVisible() && this.window.isFocused()),
      notify: (n) => this.notify(n),
      onChange: () => this.refreshTray(),
      log,
      initialAgents: () => handle.system.list().map((a) => ({ actorId: a.actorId, name: a.name, state: a.state, kind: a.kind })),
    });
    const changed = previous.origin !== this.appOrigin || previous.token !== handle.dashboardToken;
    if (this.window && (!restart || changed)) await this.window.loadURL(this.devUrl ?? `${this.appOrigin}/`).catch(() => undefined);
  }

  private async hubConfig(): Promise<WactorzConfigInput> {
    const secrets: SecretValues = {};
    for (const name of SECRET_NAMES) {
      try {
        const v = await this.secrets.get(name);
        if (v !== undefined) secrets[name] = v;
      } catch (e) {
        log('warning', (e as Error).message);
      }
    }
    const nativeBinding = resolveNativeBinding({
      isPackaged: app.isPackaged,
      resourcesPath: process.resourcesPath,
      appPath: app.getAppPath(),
      platform: process.platform,
      arch: process.arch,
      abi: process.versions.modules,
      env: process.env,
    });
    if (!nativeBinding) log('warning', "no better-sqlite3 build for Electron's ABI was found; see docs/desktop.md (native module)");
    const { config, llmKeySource } = buildHubConfig({
      settings: this.settings.get(),
      secrets,
      env: process.env,
      stateDir: join(app.getPath('userData'), 'state'),
      ...(nativeBinding ? { nativeBinding } : {}),
    });
    log('info', `LLM provider ${config.llm.provider}${llmKeySource === 'none' ? '' : ` (key from the ${llmKeySource})`}`);
    return {
      ...config,
      // Beyond loopback the hub requires a token: the keychain's, the same across restarts, so
      // other devices stay signed in. On loopback none is given, so none is required.
      ...(this.token && !isLoopback(config.host ?? '127.0.0.1') ? { dashboardToken: this.token } : {}),
      // In development the window shows the dev server, whose proxied API calls and /mqtt carry its origin.
      ...(this.devOrigin ? { allowedOrigins: [this.devOrigin] } : {}),
      dashboardDir: this.dashboardDir(),
    };
  }

  /**
   * The renderer build the hub serves: out/renderer in the project, or its copy unpacked from the
   * asar in a packaged app (a plain folder for the static file server).
   */
  private dashboardDir(): string {
    return app.isPackaged ? join(process.resourcesPath, 'app.asar.unpacked', 'out', 'renderer') : join(app.getAppPath(), 'out', 'renderer');
  }

  /** POST /auth/token/rotate: keep the new token for the next start, and reload the window so it uses it. */
  private async tokenRotated(token: string): Promise<void> {
    this.token = token;
    await this.secrets.set('dashboard_token', token).catch((e: unknown) => log('warning', `the rotated dashboard token could not be saved: ${(e as Error).message}`));
    this.window?.webContents.reload();
  }

  /** A token for the dashboard, kept in the keychain; made on first run. */
  private async dashboardToken(): Promise<string> {
    const existing = await this.secrets.get('dashboard_token').catch(() => undefined);
    if (existing) return existing;
    const token = randomBytes(32).toString('base64url');
    await this.secrets.set('dashboard_token', token);
    return token;
  }

  private connection(): DesktopConnection | null {
    const baseUrl = this.devOrigin ?? this.appOrigin;
    const handle = this.runner.handle;
    if (!baseUrl || !handle) return null;
    // The token the hub requires (null on loopback); API_KEY when only that one guards the API.
    return { baseUrl, token: handle.dashboardToken ?? process.env.API_KEY ?? null };
  }

  private services() {
    return {
      info: () => ({
        appVersion: app.getVersion(),
        electronVersion: process.versions.electron ?? '',
        platform: process.platform,
        secretStorage: this.secrets.kind === 'session-only' ? ('session-only' as const) : ('keychain' as const),
      }),
      notify: (n: DesktopNotification) => this.notify({ ...n, urgency: 'normal' }),
      openExternal: (url: string) => openExternalSafely(url),
      getLoginItem: () => this.loginItem.get(),
      setLoginItem: async (on: boolean) => {
        this.openAtLogin = await this.loginItem.set(on);
        this.refreshTray();
        return this.openAtLogin;
      },
      secrets: this.secrets,
      secretChanged: (name: SecretName) => {
        log('info', `secret ${name} changed; restarting the hub to use it`);
        if (name === 'dashboard_token') {
          void this.secrets.get('dashboard_token').then((t) => (this.token = t ?? null));
        }
        this.scheduleRestart();
      },
      getSettings: () => this.settings.get(),
      updateSettings: async (patch: DesktopSettingsPatch): Promise<DesktopSettings> => {
        const { before, after } = await this.settings.update(patch);
        if (needsHubRestart(before, after)) this.scheduleRestart();
        return after;
      },
    };
  }

  private scheduleRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void this.startHub(true);
    }, RESTART_DEBOUNCE_MS);
  }

  private onTrayAction(action: TrayAction): void {
    switch (action) {
      case 'open-dashboard':
        return revealWindow(this.window);
      case 'open-approvals':
        revealWindow(this.window);
        // The dashboard's hash route (same document: a fragment navigation, no reload).
        void this.window?.loadURL(`${this.devUrl ?? `${this.appOrigin}/`}#/approvals`).catch(() => undefined);
        return;
      case 'pause-dynamic':
      case 'resume-dynamic': {
        const bus = this.runner.handle?.bus;
        if (!bus) return;
        const command = action === 'pause-dynamic' ? 'pause' : 'resume';
        for (const m of dynamicAgentCommands(this.status.snapshot(), command)) bus.publish(m.topic, m.payload, { qos: 1 });
        return;
      }
      case 'dismiss-alerts':
        this.status.dismissAlerts();
        return this.refreshTray();
      case 'toggle-login-item':
        void this.loginItem
          .set(!this.openAtLogin)
          .then((on) => (this.openAtLogin = on))
          .catch((e: unknown) => log('warning', `start at login: ${(e as Error).message}`))
          .finally(() => this.refreshTray());
        return;
      case 'restart-hub':
        return void this.startHub(true);
      case 'quit':
        return app.quit();
    }
  }

  /** Coalesces tray updates: heartbeats from hundreds of agents must not rebuild the menu each time. */
  private refreshTray(): void {
    if (this.trayTimer) return;
    this.trayTimer = setTimeout(() => {
      this.trayTimer = null;
      this.tray?.update(this.status.snapshot(), {
        openAtLogin: this.openAtLogin,
        loginItemSupported: true,
        hubFailed: this.runner.lastError !== null,
      });
    }, TRAY_REFRESH_MS);
  }

  private notify(n: NotificationRequest): void {
    if (!Notification.isSupported()) return;
    const note = new Notification({
      title: n.title,
      body: n.body,
      urgency: n.urgency,
      // An image, not a path: the notification daemon cannot read a file inside the asar.
      icon: nativeImage.createFromPath(join(app.getAppPath(), 'resources', 'icons', 'icon.png')),
    });
    note.on('click', () => revealWindow(this.window));
    note.show();
  }

  private async reportStartFailure(e: Error): Promise<void> {
    const r = await dialog.showMessageBox({
      type: 'error',
      title: 'Wactorz',
      message: 'Wactorz could not start its hub.',
      detail: `${e.message}${this.secretsWarning ? `\n\nNote: ${this.secretsWarning}.` : ''}`,
      buttons: ['Retry', 'Keep in tray', 'Quit'],
      defaultId: 0,
      cancelId: 1,
    });
    if (r.response === 0) void this.startHub(true);
    else if (r.response === 2) app.quit();
  }

  private async shutdown(): Promise<void> {
    log('info', 'quitting: stopping the hub');
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.stopWatching?.();
    const timeout = new Promise<void>((resolve) =>
      setTimeout(() => {
        log('warning', `the hub did not stop within ${STOP_TIMEOUT_MS / 1000} s; quitting anyway`);
        resolve();
      }, STOP_TIMEOUT_MS).unref(),
    );
    await Promise.race([this.runner.stop(), timeout]);
    this.tray?.destroy();
    this.tray = null;
  }
}
