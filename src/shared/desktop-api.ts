/**
 * The desktop app's preload API, as types only: Electron main implements it (src/main/electron/ipc-*),
 * the preload exposes it with contextBridge as `window.wactorz` (src/preload/index.ts), and the
 * renderer calls it when present. In a plain browser `window.wactorz` is undefined and the dashboard
 * talks to its own origin. Types only, so no runtime code from here ends up in the sandboxed preload.
 */

/** Where the dashboard's hub is and how to authenticate to it. */
export interface DesktopConnection {
  /** Origin of the hub's dashboard server, e.g. http://127.0.0.1:8888 (REST under /api, MQTT over WebSocket at /mqtt). */
  baseUrl: string;
  /** Dashboard token for REST (`Authorization: Bearer`) and MQTT over WebSocket; null when none is required. */
  token: string | null;
}

/** Secrets the desktop app keeps with the OS keychain (safeStorage). Values are write-only from the page. */
export type SecretName =
  | 'anthropic_api_key'
  | 'openai_api_key'
  | 'nim_api_key'
  | 'gemini_api_key'
  | 'home_assistant_token'
  | 'mqtt_password'
  | 'dashboard_token';

export interface SecretStatus {
  name: SecretName;
  /** True when a value is stored (the value itself never leaves the main process). */
  set: boolean;
}

/** The LLM provider setting; `auto` picks the first provider that has a key. */
export type DesktopLlmProvider = 'auto' | 'anthropic' | 'openai' | 'ollama' | 'nim' | 'gemini' | 'none';

/** The desktop app's own settings (no secrets): what the hub is started with. */
export interface DesktopSettings {
  llm: { provider: DesktopLlmProvider; model?: string; baseUrl?: string };
  homeAssistantUrl?: string;
  /** Keep the dashboard on `monitorPort` for browsers and other devices; false → an ephemeral port only the window uses. */
  serveOtherDevices: boolean;
  /** Bind address of the hub's listeners: 127.0.0.1 (this machine only) or e.g. 0.0.0.0 (the LAN; a token is then required). */
  host: string;
  monitorPort: number;
  /** Embedded broker's TCP port, or the external broker's port when `mqttBroker` is set. */
  mqttPort: number;
  mqttBroker?: string;
  mqttUsername?: string;
  redisUrl?: string;
  notifications: { alerts: boolean; jobs: boolean };
}

/** A partial update of the settings; changing anything the hub was started with restarts the hub. */
export type DesktopSettingsPatch = Partial<Omit<DesktopSettings, 'llm' | 'notifications'>> & {
  llm?: Partial<DesktopSettings['llm']>;
  notifications?: Partial<DesktopSettings['notifications']>;
};

export interface DesktopInfo {
  appVersion: string;
  electronVersion: string;
  platform: string;
  /** `keychain`: secrets are encrypted with the OS keychain; `session-only`: no keychain, secrets live in memory until quit. */
  secretStorage: 'keychain' | 'session-only';
}

export interface DesktopNotification {
  title: string;
  body: string;
}

/** `window.wactorz` in the Electron window. Every method is validated again in the main process. */
export interface WactorzDesktopApi {
  readonly isDesktop: true;
  /** The OS ("darwin", "win32", "linux"), for keyboard hints. */
  readonly platform: string;
  /** Synchronous: read once at page load (the preload asks the main process when it starts). */
  connection(): DesktopConnection;
  getInfo(): Promise<DesktopInfo>;
  getVersion(): Promise<string>;
  notify(notification: DesktopNotification): Promise<void>;
  /** Opens an http(s) URL in the OS browser; other schemes are refused. */
  openExternal(url: string): Promise<void>;
  getLoginItem(): Promise<boolean>;
  /** Start at login on/off; resolves with the setting as the OS reports it afterwards. */
  setLoginItem(openAtLogin: boolean): Promise<boolean>;
  listSecrets(): Promise<SecretStatus[]>;
  setSecret(name: SecretName, value: string): Promise<void>;
  deleteSecret(name: SecretName): Promise<void>;
  getSettings(): Promise<DesktopSettings>;
  updateSettings(patch: DesktopSettingsPatch): Promise<DesktopSettings>;
}

/**
 * The IPC contract: channel → argument tuple and result. The preload sends exactly these; the
 * main process validates `args` with a zod schema per channel before doing anything.
 */
export interface DesktopIpcContract {
  'wactorz:get-info': { args: []; result: DesktopInfo };
  'wactorz:get-version': { args: []; result: string };
  'wactorz:notify': { args: [DesktopNotification]; result: void };
  'wactorz:open-external': { args: [string]; result: void };
  'wactorz:get-login-item': { args: []; result: boolean };
  'wactorz:set-login-item': { args: [boolean]; result: boolean };
  'wactorz:list-secrets': { args: []; result: SecretStatus[] };
  'wactorz:set-secret': { args: [SecretName, string]; result: void };
  'wactorz:delete-secret': { args: [SecretName]; result: void };
  'wactorz:get-settings': { args: []; result: DesktopSettings };
  'wactorz:update-settings': { args: [DesktopSettingsPatch]; result: DesktopSettings };
}
export type DesktopIpcChannel = keyof DesktopIpcContract;

/** The one synchronous channel: connection details at preload start. */
export type DesktopConnectionChannel = 'wactorz:connection';

declare global {
  interface Window {
    /** Present in the Electron window only. */
    wactorz?: WactorzDesktopApi;
  }
}
