/**
 * Home Assistant's WebSocket API through home-assistant-js-websocket's Connection (ids, result
 * matching, re-subscribing after a reconnect), on a `ws` socket opened by ha-socket.ts.
 *
 * Connection policy:
 * - first connect: retried with exponential backoff (1 s → 30 s) while HA is unreachable;
 * - after a drop (HA restarting): the library reconnects with its own backoff (0, 1, 2 … 5 s) and
 *   re-subscribes every event subscription; we fire `connected` again so callers can resync;
 * - a refused token (on the first connect or any reconnect): status `auth_failed`, ONE error log,
 *   no more attempts until `restart()` is called with a new client.
 */
import { Connection, ERR_CANNOT_CONNECT, ERR_CONNECTION_LOST, ERR_INVALID_AUTH } from 'home-assistant-js-websocket';
import type { HaWebSocket, MessageBase } from 'home-assistant-js-websocket';
import type { z } from 'zod';
import type { HaConfig } from './ha-config.js';
import { haWebSocketUrl } from './ha-config.js';
import { HaError } from './ha-error.js';
import { type FilteredHaSocket, openHaSocket } from './ha-socket.js';
import {
  type HaArea,
  type HaDevice,
  type HaEntityEntry,
  type HaEvent,
  type HaState,
  type HaStateChangedData,
  haAreasSchema,
  haDevicesSchema,
  haEntityEntriesSchema,
  haEventSchema,
  haServiceCallWsResultSchema,
  haServicesByDomainSchema,
  haStateChangedDataSchema,
  haStatesSchema,
  haWsErrorSchema,
} from './ha-schemas.js';
import type { Logger } from '../../../base/logger.js';
import { backoffDelay } from '../../../base/backoff.js';

export type HaWsStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'auth_failed' | 'closed';

export interface HaWsClientOptions {
  log?: Logger;
  /** Connect + login bound per attempt (default 10 s). */
  connectTimeoutMs?: number;
  /** Bound on one command's answer (default 15 s). */
  commandTimeoutMs?: number;
  /** Backoff for the first connection while HA is unreachable. */
  retry?: { initialMs?: number; maxMs?: number };
  /** Keepalive ping period; a missing pong forces a reconnect (default 30 s; 0 disables). */
  pingIntervalMs?: number;
}

export interface HaServiceTarget {
  entity_id?: string | string[];
  device_id?: string | string[];
  area_id?: string | string[];
}

type EventHandler = (event: HaEvent) => void;
type StatusHandler = (status: HaWsStatus, error?: HaError) => void;

export class HaWsClient {
  private conn: Connection | undefined;
  private _status: HaWsStatus = 'idle';
  private _lastError: HaError | undefined;
  private readonly handlers = new Map<string, Set<EventHandler>>();
  /** Event types subscribed on the current Connection (the library re-subscribes them after reconnects). */
  private readonly subscribed = new Set<string>();
  private readonly statusHandlers = new Set<StatusHandler>();
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private currentSocket: FilteredHaSocket | undefined;
  private invalidEvents = 0;
  private readonly log: Logger;
  private readonly wsUrl: string;

  constructor(
    private readonly config: HaConfig,
    private readonly opts: HaWsClientOptions = {},
  ) {
    this.log = opts.log ?? (() => {});
    this.wsUrl = haWebSocketUrl(config.url);
  }

  get status(): HaWsStatus {
    return this._status;
  }
  /** Why the last attempt failed (unreachable, token refused…), or undefined. */
  get lastError(): HaError | undefined {
    return this._lastError;
  }
  get connected(): boolean {
    return this._status === 'connected' && this.conn?.connected === true;
  }
  get haVersion(): string | undefined {
    return this.conn?.haVersion;
  }

  /** Starts connecting in the background. Idempotent. */
  start(): void {
    if (this._status !== 'idle') return;
    this.setStatus('connecting');
    void this.attemptFirstConnect(0);
  }

  /** Resolves once connected; rejects at once when the token was refused, or after `timeoutMs`. */
  waitUntilConnected(timeoutMs = 15_000): Promise<void> {
    if (this.connected) return Promise.resolve();
    if (this._status === 'auth_failed' && this._lastError) return Promise.reject(this._lastError);
    if (this._status === 'closed') return Promise.reject(new HaError('unreachable', 'the Home Assistant client is closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(this._lastError && this._lastError.kind !== 'auth' ? this._lastError : new HaError('timeout', `not connected to Home Assistant at ${this.config.url} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onStatus((status, err) => {
        if (status === 'connected') {
          clearTimeout(timer);
          off();
          resolve();
        } else if (status === 'auth_failed' || status === 'closed') {
          clearTimeout(timer);
          off();
          reject(err ?? new HaError('unreachable', 'the Home Assistant client is closed'));
        }
      });
    });
  }

  onStatus(handler: StatusHandler): () => void {
    this.statusHandlers.add(handler);
    return () => this.statusHandlers.delete(handler);
  }

  /**
   * Subscribes to an HA event type (one `subscribe_events` per type, shared by every handler, kept
   * across reconnects). The event is validated; handlers that throw are logged, never propagated.
   */
  subscribeEvents(eventType: string, handler: EventHandler): () => void {
    let set = this.handlers.get(eventType);
    if (!set) {
      set = new Set();
      this.handlers.set(eventType, set);
    }
    set.add(handler);
    if (this.conn) this.subscribeOnConnection(this.conn, eventType);
    return () => {
      set.delete(handler);
    };
  }

  /** `state_changed` events whose data has the documented shape; malformed ones are dropped and logged. */
  onStateChanged(handler: (data: HaStateChangedData, event: HaEvent) => void): () => void {
    return this.subscribeEvents('state_changed', (event) => {
      const r = haStateChangedDataSchema.safeParse(event.data);
      if (!r.success) {
        this.invalidEvents++;
        if (this.invalidEvents <= 5 || this.invalidEvents % 100 === 0) {
          this.log('warning', `dropped a malformed state_changed event (#${this.invalidEvents}): ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`);
        }
        return;
      }
      handler(r.data, event);
    });
  }

  /** How many malformed frames and events were dropped so far. */
  get droppedMessages(): number {
    return this.invalidEvents + (this.currentSocket?.droppedFrames ?? 0);
  }

  async getStates(): Promise<HaState[]> {
    return this.command({ type: 'get_states' }, haStatesSchema, 'get_states');
  }

  async getServices(): Promise<z.infer<typeof haServicesByDomainSchema>> {
    return this.command({ type: 'get_services' }, haServicesByDomainSchema, 'get_services');
  }

  async callService(domain: string, service: string, serviceData?: Record<string, unknown>, target?: HaServiceTarget): Promise<void> {
    const msg: MessageBase = { type: 'call_service', domain, service };
    if (serviceData && Object.keys(serviceData).length > 0) msg.service_data = serviceData;
    if (target) msg.target = target;
    await this.command(msg, haServiceCallWsResultSchema, `${domain}.${service}`);
  }

  async listAreas(): Promise<HaArea[]> {
    return this.command({ type: 'config/area_registry/list' }, haAreasSchema, 'the area registry');
  }
  async listDevices(): Promise<HaDevice[]> {
    return this.command({ type: 'config/device_registry/list' }, haDevicesSchema, 'the device registry');
  }
  async listEntityRegistry(): Promise<HaEntityEntry[]> {
    return this.command({ type: 'config/entity_registry/list' }, haEntityEntriesSchema, 'the entity registry');
  }

  /** Sends any command and validates its result. */
  async command<T>(message: MessageBase, schema: z.ZodType<T>, what: string): Promise<T> {
    const conn = this.conn;
    if (!conn || !this.connected) {
      throw this._status === 'auth_failed' && this._lastError
        ? this._lastError
        : new HaError('unreachable', `not connected to Home Assistant at ${this.config.url}${this._lastError ? ` (${this._lastError.message})` : ''}`);
    }
    const timeoutMs = this.opts.commandTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    let result: unknown;
    try {
      result = await Promise.race([
        conn.sendMessagePromise<unknown>({ ...message }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new HaError('timeout', `Home Assistant did not answer ${message.type} within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (e) {
      throw toHaError(e, what);
    } finally {
      clearTimeout(timer);
    }
    const r = schema.safeParse(result);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new HaError('bad_response', `Home Assistant sent an unexpected result for ${message.type}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`, { body: result });
    }
    return r.data;
  }

  /** Stops for good: closes the socket, cancels retries. */
  close(): void {
    if (this._status === 'closed') return;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.conn?.close();
    this.conn = undefined;
    this.setStatus('closed');
  }

  // ── connection management ───────────────────────────────────────────────

  /** The socket factory handed to the library: maps our errors onto the codes its reconnect loop understands. */
  private readonly createSocket = async (): Promise<HaWebSocket> => {
    try {
      const socket = await openHaSocket({ url: this.config.url, wsUrl: this.wsUrl, token: this.config.token, timeoutMs: this.opts.connectTimeoutMs, log: this.log });
      this.currentSocket = socket;
      return socket as unknown as HaWebSocket;
    } catch (e) {
      const err = e instanceof HaError ? e : new HaError('unreachable', String(e));
      this._lastError = err;
      if (err.kind === 'auth') throw ERR_INVALID_AUTH;
      if (this._status === 'reconnecting') this.log('debug', `reconnect to Home Assistant failed: ${err.message}`);
      throw ERR_CANNOT_CONNECT;
    }
  };

  private isClosed(): boolean {
    return this._status === 'closed';
  }

  private async attemptFirstConnect(attempt: number): Promise<void> {
    if (this.isClosed()) return;
    let socket: HaWebSocket;
    try {
      socket = await this.createSocket();
    } catch (code) {
      if (this.isClosed()) return;
      if (code === ERR_INVALID_AUTH) {
        this.authFailed();
        return;
      }
      const max = this.opts.retry?.maxMs ?? 30_000;
      const delay = backoffDelay(attempt, { initialMs: this.opts.retry?.initialMs ?? 1000, maxMs: max });
      if (attempt === 0 || delay === max) this.log('warning', `${this._lastError?.message ?? 'cannot connect to Home Assistant'} — retrying in ${Math.round(delay / 1000)} s`);
      this.retryTimer = setTimeout(() => void this.attemptFirstConnect(attempt + 1), delay);
      return;
    }
    if (this.isClosed()) {
      (socket as unknown as FilteredHaSocket).close();
      return;
    }
    const conn = new Connection(socket, { setupRetry: 0, createSocket: this.createSocket });
    this.conn = conn;
    conn.addEventListener('ready', () => this.onReady());
    conn.addEventListener('disconnected', () => {
      if (this._status === 'closed') return;
      this.log('warning', `lost the connection to Home Assistant at ${this.config.url} — reconnecting`);
      this.setStatus('reconnecting');
    });
    conn.addEventListener('reconnect-error', () => this.authFailed());
    for (const type of this.handlers.keys()) this.subscribeOnConnection(conn, type);
    this.startKeepalive();
    this.onReady();
  }

  private onReady(): void {
    if (this._status === 'closed') return;
    const was = this._status;
    this._lastError = undefined;
    this.log('info', `${was === 'reconnecting' ? 'reconnected' : 'connected'} to Home Assistant ${this.conn?.haVersion ?? ''} at ${this.config.url}`);
    this.setStatus('connected');
  }

  private authFailed(): void {
    const err = this._lastError?.kind === 'auth' ? this._lastError : new HaError('auth', `Home Assistant at ${this.config.url} rejected the access token`);
    this._lastError = err;
    clearInterval(this.pingTimer);
    this.conn?.close();
    this.conn = undefined;
    this.log('error', err.message);
    this.setStatus('auth_failed', err);
  }

  private subscribeOnConnection(conn: Connection, eventType: string): void {
    if (this.subscribed.has(eventType)) return;
    this.subscribed.add(eventType);
    conn
      .subscribeEvents<unknown>((raw) => this.dispatch(eventType, raw), eventType)
      .catch((e: unknown) => {
        this.subscribed.delete(eventType);
        this.log('error', `could not subscribe to Home Assistant ${eventType} events: ${toHaError(e, eventType).message}`);
      });
  }

  private dispatch(eventType: string, raw: unknown): void {
    const r = haEventSchema.safeParse(raw);
    if (!r.success) {
      this.invalidEvents++;
      if (this.invalidEvents <= 5 || this.invalidEvents % 100 === 0) this.log('warning', `dropped a malformed ${eventType} event (#${this.invalidEvents})`);
      return;
    }
    for (const h of [...(this.handlers.get(eventType) ?? [])]) {
      try {
        h(r.data);
      } catch (e) {
        this.log('error', `a ${eventType} handler failed: ${(e as Error).message}`);
      }
    }
  }

  private startKeepalive(): void {
    const every = this.opts.pingIntervalMs ?? 30_000;
    if (every <= 0) return;
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      const conn = this.conn;
      if (!conn || !this.connected) return;
      const timeout = setTimeout(() => {
        this.log('warning', 'Home Assistant stopped answering pings — reconnecting');
        this.currentSocket?.terminate();
      }, Math.min(10_000, every));
      conn.ping().then(
        () => clearTimeout(timeout),
        () => clearTimeout(timeout),
      );
    }, every);
    this.pingTimer.unref();
  }

  private setStatus(status: HaWsStatus, err?: HaError): void {
    this._status = status;
    for (const h of [...this.statusHandlers]) {
      try {
        h(status, err);
      } catch (e) {
        this.log('error', `a Home Assistant status handler failed: ${(e as Error).message}`);
      }
    }
  }
}

/** Maps whatever the library rejects with (HA's `{code, message}`, its numeric codes) to an HaError. */
export function toHaError(e: unknown, what: string): HaError {
  if (e instanceof HaError) return e;
  if (e === ERR_CONNECTION_LOST) return new HaError('connection_lost', `the connection to Home Assistant dropped before ${what} was sent`);
  const lost = e as { error?: { code?: unknown } };
  if (lost?.error?.code === ERR_CONNECTION_LOST) return new HaError('connection_lost', `the connection to Home Assistant dropped while waiting for ${what}`);
  const r = haWsErrorSchema.safeParse(e);
  if (r.success) {
    const { code, message } = r.data;
    const detail = { code: String(code), body: e };
    if (code === 'not_found') return new HaError('not_found', `Home Assistant: ${message}`, detail);
    if (code === 'invalid_format' || code === 'service_validation_error' || code === 'home_assistant_error') return new HaError('bad_request', `Home Assistant refused ${what}: ${message}`, detail);
    if (code === 'unauthorized') return new HaError('failed', `Home Assistant: not allowed (${message}) — the token's user needs admin rights for ${what}`, detail);
    return new HaError('failed', `Home Assistant: ${message} (${code})`, detail);
  }
  return new HaError('failed', `Home Assistant ${what} failed: ${e instanceof Error ? e.message : JSON.stringify(e)}`);
}
