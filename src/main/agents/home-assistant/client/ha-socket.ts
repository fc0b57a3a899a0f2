/**
 * Opens Home Assistant's WebSocket (`/api/websocket`) with the `ws` package (Node 20 has no global
 * WebSocket) and runs the auth phase: auth_required → auth → auth_ok | auth_invalid. The result is
 * a socket that home-assistant-js-websocket's Connection can drive, with one addition: frames that
 * are not JSON objects carrying a `type` are dropped (and logged) here, because the library
 * JSON.parses every frame without a guard and one bad frame would throw inside the socket.
 */
import WebSocket from 'ws';
import { HaError, authErrorMessage, unreachableMessage } from './ha-error.js';
import { haWsFrameSchema } from './ha-schemas.js';
import type { Logger } from '../../../base/logger.js';

type Listener = (ev: { data: string }) => void;

/** The subset of the DOM WebSocket that home-assistant-js-websocket's Connection uses. */
export class FilteredHaSocket {
  readonly OPEN = WebSocket.OPEN;
  private readonly messageListeners = new Set<Listener>();
  private readonly closeListeners = new Set<() => void>();
  private pending: string[] = [];
  private dropped = 0;

  constructor(
    private readonly ws: WebSocket,
    readonly haVersion: string,
    private readonly log: Logger,
  ) {
    ws.on('message', (data, isBinary) => this.onFrame(isBinary ? '' : data.toString()));
    ws.on('close', () => {
      for (const l of [...this.closeListeners]) l();
    });
    // 'close' always follows an error; without a listener `ws` would throw it.
    ws.on('error', (e) => this.log('debug', `Home Assistant WebSocket error: ${e.message}`));
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  /** How many malformed frames were dropped on this socket. */
  get droppedFrames(): number {
    return this.dropped;
  }

  send(data: string): void {
    this.ws.send(data);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close();
  }

  /** Drops the TCP connection at once (a peer that stopped answering will never finish a close handshake). */
  terminate(): void {
    this.ws.terminate();
  }

  addEventListener(type: string, fn: Listener | (() => void)): void {
    if (type === 'message') {
      this.messageListeners.add(fn as Listener);
      if (this.pending.length > 0) queueMicrotask(() => this.flush());
    } else if (type === 'close') this.closeListeners.add(fn as () => void);
  }

  removeEventListener(type: string, fn: Listener | (() => void)): void {
    if (type === 'message') this.messageListeners.delete(fn as Listener);
    else if (type === 'close') this.closeListeners.delete(fn as () => void);
  }

  private flush(): void {
    const frames = this.pending;
    this.pending = [];
    for (const f of frames) this.deliver(f);
  }

  private onFrame(text: string): void {
    const clean = this.sanitize(text);
    if (clean === undefined) return;
    if (this.messageListeners.size === 0) this.pending.push(clean);
    else this.deliver(clean);
  }

  private deliver(text: string): void {
    for (const l of [...this.messageListeners]) l({ data: text });
  }

  /** The frame as text the library can parse, or undefined when it must be dropped. */
  private sanitize(text: string): string | undefined {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.drop(`not JSON: ${text.slice(0, 80)}`);
      return undefined;
    }
    // HA may coalesce several messages into one array frame.
    if (Array.isArray(json)) {
      const ok = json.filter((m) => {
        const valid = haWsFrameSchema.safeParse(m).success;
        if (!valid) this.drop(`not a message object: ${JSON.stringify(m).slice(0, 80)}`);
        return valid;
      });
      return ok.length > 0 ? JSON.stringify(ok) : undefined;
    }
    if (!haWsFrameSchema.safeParse(json).success) {
      this.drop(`not a message object: ${text.slice(0, 80)}`);
      return undefined;
    }
    return text;
  }

  private drop(why: string): void {
    this.dropped++;
    // The first few and then every 100th, so a flood of garbage cannot flood the logs too.
    if (this.dropped <= 5 || this.dropped % 100 === 0) {
      this.log('warning', `dropped a malformed Home Assistant WebSocket frame (#${this.dropped}): ${why}`);
    }
  }
}

export interface OpenHaSocketOptions {
  /** Base URL (http/https), used in messages. */
  url: string;
  wsUrl: string;
  token: string;
  /** Bound on connect + auth (default 10 s). */
  timeoutMs?: number;
  log: Logger;
}

/** Connects and authenticates. Rejects with HaError `auth` (token refused), `timeout` or `unreachable`. */
export function openHaSocket(opts: OpenHaSocketOptions): Promise<FilteredHaSocket> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    let settled = false;
    const ws = new WebSocket(opts.wsUrl, { handshakeTimeout: timeoutMs });
    const timer = setTimeout(() => fail(new HaError('timeout', `Home Assistant at ${opts.url} did not complete the WebSocket login within ${timeoutMs} ms`)), timeoutMs);

    const cleanup = (): void => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      ws.off('error', onError);
    };
    function fail(err: HaError): void {
      if (settled) return;
      settled = true;
      cleanup();
      ws.on('error', () => {}); // late errors from the socket we are abandoning
      ws.terminate();
      reject(err);
    }
    function onMessage(data: WebSocket.RawData): void {
      let msg: { type?: unknown; message?: unknown; ha_version?: unknown };
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        opts.log('warning', 'Home Assistant sent a frame that is not JSON during login; ignored');
        return;
      }
      if (msg?.type === 'auth_required') {
        ws.send(JSON.stringify({ type: 'auth', access_token: opts.token }));
      } else if (msg?.type === 'auth_ok') {
        if (settled) return;
        settled = true;
        cleanup();
        resolve(new FilteredHaSocket(ws, typeof msg.ha_version === 'string' ? msg.ha_version : 'unknown', opts.log));
      } else if (msg?.type === 'auth_invalid') {
        fail(new HaError('auth', authErrorMessage(opts.url, typeof msg.message === 'string' ? msg.message : 'auth_invalid')));
      }
    }
    function onClose(code: number): void {
      fail(new HaError('unreachable', `Home Assistant at ${opts.url} closed the WebSocket during login (code ${code})`));
    }
    function onError(e: Error): void {
      // `ws` reports an HTTP answer to the upgrade as "Unexpected server response: 401".
      const status = /Unexpected server response: (\d+)/.exec(e.message)?.[1];
      if (status === '401' || status === '403') fail(new HaError('auth', authErrorMessage(opts.url, `HTTP ${status}`)));
      else if (status) fail(new HaError('unreachable', `Home Assistant at ${opts.url} answered the WebSocket upgrade with HTTP ${status} — it may be restarting`));
      else fail(new HaError('unreachable', unreachableMessage(opts.url, e)));
    }
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onError);
  });
}
