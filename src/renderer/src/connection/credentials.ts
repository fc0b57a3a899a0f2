/**
 * Where the hub is and which token to present. In Electron the preload says; in a browser the hub is
 * the page's own origin and the token arrives once as `?token=` (the link the hub prints at start),
 * is kept in localStorage and removed from the address bar so it is not bookmarked or shared.
 */
import { bridgeConnection, type WactorzBridge } from './bridge.js';
import type { StorageLike } from '../lib/storage.js';

export const TOKEN_KEY = 'wactorz.token';
const DEFAULT_HUB = 'http://127.0.0.1:8888/';

export interface ConnectionTarget {
  /** Ends with '/'. */
  baseUrl: string;
  apiUrl: string;
  mqttUrl: string;
  token: string | null;
  source: 'bridge' | 'page';
}

export function deriveUrls(base: string): Pick<ConnectionTarget, 'baseUrl' | 'apiUrl' | 'mqttUrl'> {
  const u = new URL(base);
  u.search = '';
  u.hash = '';
  if (!u.pathname.endsWith('/')) u.pathname = u.pathname.replace(/[^/]*$/, '');
  const baseUrl = u.toString();
  const apiUrl = new URL('api/', baseUrl).toString();
  const ws = new URL('mqtt', baseUrl);
  ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
  return { baseUrl, apiUrl, mqttUrl: ws.toString() };
}

/** Takes `token` out of the page URL (keeping everything else) and returns it. */
export function takeTokenFromUrl(href: string, replaceUrl: (url: string) => void): string | null {
  const u = new URL(href);
  const token = u.searchParams.get('token');
  if (token === null) return null;
  u.searchParams.delete('token');
  replaceUrl(u.toString());
  return token.trim() || null;
}

export function storedToken(storage: StorageLike): string | null {
  return storage.getItem(TOKEN_KEY);
}

export function saveToken(storage: StorageLike, token: string | null): void {
  if (token) storage.setItem(TOKEN_KEY, token);
  else storage.removeItem(TOKEN_KEY);
}

export interface PageEnv {
  href: string;
  replaceUrl: (url: string) => void;
  storage: StorageLike;
  bridge?: WactorzBridge;
}

export async function resolveTarget(env: PageEnv): Promise<ConnectionTarget> {
  const fromBridge = await bridgeConnection(env.bridge);
  if (fromBridge) return { ...deriveUrls(fromBridge.baseUrl), token: fromBridge.token, source: 'bridge' };
  const fromUrl = takeTokenFromUrl(env.href, env.replaceUrl);
  if (fromUrl) saveToken(env.storage, fromUrl);
  const page = new URL(env.href);
  // Opened from a file (an unpackaged Electron window without a preload): assume the local hub.
  const base = page.protocol === 'http:' || page.protocol === 'https:' ? page.toString() : DEFAULT_HUB;
  return { ...deriveUrls(base), token: fromUrl ?? storedToken(env.storage), source: 'page' };
}
