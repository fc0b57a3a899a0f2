/**
 * Hardening for every web contents the app creates: CSP on the app's responses, a permission
 * allow-list, navigation and window.open restricted to the app's origin (external http(s) links
 * go to the OS browser), no <webview>. The decisions are in navigation-rules.ts and csp.ts.
 */
import { app, shell, type Session, type WebContents } from 'electron';
import { withCsp } from './csp.js';
import { decideNavigation, decideWindowOpen, isPermissionAllowed, isSafeExternalUrl } from './navigation-rules.js';

export interface AppOrigins {
  /** Origins whose pages may load in the window and use the preload API. */
  trusted(): readonly string[];
  /** True for the dev server's origin (electron-vite dev), which gets the development CSP. */
  isDev(origin: string): boolean;
}

export function openExternalSafely(url: string): Promise<void> {
  if (!isSafeExternalUrl(url)) return Promise.reject(new Error('only http(s) URLs can be opened'));
  return shell.openExternal(url);
}

export function hardenSession(session: Session, origins: AppOrigins): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    let origin: string | undefined;
    try {
      origin = new URL(details.url).origin;
    } catch {
      origin = undefined;
    }
    if (!origin || !origins.trusted().includes(origin)) return callback({});
    callback({ responseHeaders: withCsp(details.url, details.responseHeaders, { appOrigin: origin, dev: origins.isDev(origin) }) });
  });
  session.setPermissionRequestHandler((_wc, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl, origins.trusted()));
  });
  session.setPermissionCheckHandler((_wc, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin, origins.trusted()));
}

function hardenWebContents(contents: WebContents, origins: AppOrigins): void {
  const guard = (event: { preventDefault(): void }, url: string): void => {
    const d = decideNavigation(url, origins.trusted());
    if (d === 'allow') return;
    event.preventDefault();
    if (d === 'open-external') void shell.openExternal(url);
  };
  contents.on('will-navigate', (event) => guard(event, event.url));
  contents.on('will-redirect', (event) => guard(event, event.url));
  contents.setWindowOpenHandler(({ url }) => {
    const d = decideWindowOpen(url, origins.trusted());
    if (d === 'load-in-main') void contents.loadURL(url);
    else if (d === 'open-external') void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Applies the rules to every web contents the app will ever create. Call before the first window. */
export function hardenAllWebContents(origins: AppOrigins): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, origins));
}
