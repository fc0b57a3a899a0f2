/**
 * What the Electron preload may expose to the page as `window.wactorz`. In a plain browser it is
 * absent and the dashboard talks to its own origin. Everything coming through it is validated:
 * the page trusts the preload no more than any other boundary.
 */
import { z } from 'zod';

export interface WactorzConnectionInfo {
  /** Origin of the hub's dashboard server, e.g. http://127.0.0.1:8888 */
  baseUrl: string;
  /** Dashboard token when the hub requires one, else null. */
  token: string | null;
}

/** The preload's API as the renderer uses it; every member is optional so older preloads still work. */
export interface WactorzBridge {
  connection?: () => WactorzConnectionInfo | Promise<WactorzConnectionInfo>;
  /** Opens a URL in the OS browser (the window itself never navigates away). */
  openExternal?: (url: string) => void | Promise<void>;
  /** Platform string for keyboard hints ("darwin", "win32", "linux"). */
  platform?: string;
}

const connectionInfoSchema = z.object({
  baseUrl: z.url().refine((u) => /^https?:\/\//i.test(u), 'an http(s) URL'),
  token: z.string().min(1).nullable().optional(),
});

export function getBridge(): WactorzBridge | undefined {
  const w = globalThis as unknown as { wactorz?: unknown };
  if (!w.wactorz || typeof w.wactorz !== 'object') return undefined;
  return w.wactorz as WactorzBridge;
}

/** Connection details from the preload, validated; undefined when there is no (usable) bridge. */
export async function bridgeConnection(bridge = getBridge()): Promise<WactorzConnectionInfo | undefined> {
  if (!bridge || typeof bridge.connection !== 'function') return undefined;
  try {
    const r = connectionInfoSchema.safeParse(await bridge.connection());
    if (!r.success) return undefined;
    return { baseUrl: r.data.baseUrl, token: r.data.token ?? null };
  } catch {
    return undefined;
  }
}
