/**
 * The origin the window loads: the hub's own dashboard server, so Electron and a browser show the
 * same thing. A wildcard bind address (0.0.0.0, ::) is reached through loopback.
 */

const WILDCARD_HOSTS = new Set(['0.0.0.0', '[::]', '::', '']);

/** http://127.0.0.1:8888 from the hub's dashboardUrl (which may name a wildcard or LAN address). */
export function windowOriginFor(dashboardUrl: string): string {
  const u = new URL(dashboardUrl);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`the dashboard URL ${dashboardUrl} is not http(s)`);
  if (WILDCARD_HOSTS.has(u.hostname) || u.hostname === 'localhost') u.hostname = '127.0.0.1';
  return u.origin;
}

/** The port of an http(s) URL (explicit or the scheme's default). */
export function portOf(url: string): number {
  const u = new URL(url);
  if (u.port) return Number(u.port);
  return u.protocol === 'https:' ? 443 : 80;
}
