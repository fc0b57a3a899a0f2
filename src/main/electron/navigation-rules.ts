/**
 * What the window may show. The app's own origin (the hub's dashboard) loads in the window;
 * http(s) links elsewhere open in the OS browser; everything else (file:, javascript:, data:,
 * custom schemes, other windows) is refused. Pure, so the rules are tested under Node.
 */

export type NavigationDecision = 'allow' | 'open-external' | 'deny';

/** The origin of a URL, or null when it is not a URL with an origin. */
export function originOf(url: string): string | null {
  try {
    const o = new URL(url).origin;
    return o === 'null' ? null : o;
  } catch {
    return null;
  }
}

/** True for an http(s) URL with a host: the only kind handed to the OS browser. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** A navigation of the window (link, form, location change) to `url`. */
export function decideNavigation(url: string, appOrigins: readonly string[]): NavigationDecision {
  const origin = originOf(url);
  if (origin !== null && appOrigins.includes(origin)) return 'allow';
  return isSafeExternalUrl(url) ? 'open-external' : 'deny';
}

/**
 * `window.open` / target=_blank. No second app window is ever created (it would need the same
 * hardening and has no use): the app's own URLs load in the main window, http(s) elsewhere opens
 * in the OS browser.
 */
export function decideWindowOpen(url: string, appOrigins: readonly string[]): 'load-in-main' | 'open-external' | 'deny' {
  const d = decideNavigation(url, appOrigins);
  return d === 'allow' ? 'load-in-main' : d;
}

/**
 * Web permissions the page may have: notifications (toasts), clipboard writes (copy buttons),
 * fullscreen. Camera, microphone, geolocation, USB, MIDI… are refused: the dashboard needs none.
 */
const ALLOWED_PERMISSIONS = new Set(['notifications', 'clipboard-sanitized-write', 'fullscreen']);

export function isPermissionAllowed(permission: string, requestingUrl: string, appOrigins: readonly string[]): boolean {
  const origin = originOf(requestingUrl);
  return origin !== null && appOrigins.includes(origin) && ALLOWED_PERMISSIONS.has(permission);
}
