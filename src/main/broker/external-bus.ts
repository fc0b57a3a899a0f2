/**
 * The Bus over an external broker (Mosquitto, EMQX, HiveMQ… or another hub's embedded aedes),
 * with mqtt.js 5 over MQTT 3.1.1 (which aedes speaks too).
 *
 * What it adds to mqtt.js:
 * - reconnect with exponential backoff and a cap (mqtt.js retries at a fixed period: the period
 *   is raised before each attempt and reset once connected);
 * - a persistent session (clean: false) when the caller gives a stable client id, so QoS 1
 *   messages for our subscriptions are queued by the broker while we are away;
 * - an outbox for publishes made while the broker is unreachable, flushed on reconnect *after*
 *   the subscriptions are restored — a broker that lost our session (restarted without
 *   persistence) then still routes our own QoS 1 messages to us, exactly once;
 * - one broker subscription per pattern however many local handlers share it, dispatched
 *   locally (both Mosquitto and aedes send a client one copy per message even when several of
 *   its subscriptions match; a broker that sends one per subscription would duplicate).
 *
 * - QoS 1 messages that arrive before anyone subscribed to them locally (what the broker queued
 *   for our persistent session, delivered right after CONNACK while the actors are still
 *   starting) are kept for a while and handed to the first handlers that subscribe to them.
 *
 * Retained messages: a new handler triggers a (re-)SUBSCRIBE of its pattern so the broker sends
 * it the retained messages; other handlers of matching patterns may see those again.
 */
import { randomBytes } from 'node:crypto';
import { type IClientOptions, type IConnackPacket, type ISubscriptionGrant, type MqttClient, connect } from 'mqtt';
import { type Bus, type BusConnectionState, type BusHandler, encodePayload, type PublishGate, type PublishOptions } from '../core/bus.js';
import type { Logger } from '../base/logger.js';
import { consoleBusLogger, errorMessage } from './bus-log.js';
import { type HandlerEntry, HandlerRegistry } from './handler-registry.js';
import { OfflineOutbox, type OutboxEntry } from './offline-outbox.js';
import { OrphanBuffer } from './orphan-buffer.js';
import { type BackoffOptions, ReconnectBackoff } from './reconnect-backoff.js';
import { assertPublishTopic, assertTopicFilter } from './topic-validation.js';

export interface ExternalBusOptions {
  /** mqtt://, mqtts://, ws:// or wss:// URL; or give host (+ port). */
  url?: string;
  host?: string;
  /** Default 1883 (8883 with tls). */
  port?: number;
  /** With host/port: connect with TLS (mqtts). */
  tls?: boolean;
  username?: string;
  password?: string;
  /**
   * Stable id for a persistent session (see stableClientId). Without one a random id is used
   * and the session is clean: nothing is queued by the broker while we are away.
   */
  clientId?: string;
  /** Persistent session; default true when clientId is given, else false. */
  persistentSession?: boolean;
  /** CA certificate(s), PEM contents (not a path), for a broker with a private CA. */
  ca?: string | Buffer | string[] | Buffer[];
  /** Default true: refuse a broker certificate that does not verify. */
  rejectUnauthorized?: boolean;
  keepaliveSec?: number;
  connectTimeoutMs?: number;
  reconnect?: BackoffOptions;
  /** Outbox bounds while the broker is unreachable (defaults 1,000 QoS 0 and 100,000 QoS 1). */
  maxQueuedQos0?: number;
  maxQueuedQos1?: number;
  /** QoS 1 messages nobody has subscribed to yet: kept this long (default 60 s)… */
  unclaimedMaxAgeMs?: number;
  /** …and at most this many (default 10,000). */
  maxUnclaimed?: number;
  log?: Logger;
  /** Limits for agents' publishes (publish-limits.ts); the broker's own limits and ACLs still apply. */
  publishGate?: PublishGate;
}

/** `waitConnected` gave up: the broker could not be reached (or refused us) in time. */
export class BrokerUnreachableError extends Error {
  override name = 'BrokerUnreachableError';
  readonly code = 'EBROKERUNREACHABLE';
}

export type BusStateListener = (state: BusConnectionState) => void;

const CLOSE_GRACE_MS = 5_000;

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The URL to connect to, and one safe to print (no credentials). */
function resolveUrl(opts: ExternalBusOptions): { url: string; display: string } {
  let url: string;
  if (opts.url) url = opts.url;
  else if (opts.host) {
    const secure = opts.tls === true;
    url = `${secure ? 'mqtts' : 'mqtt'}://${formatHost(opts.host)}:${opts.port ?? (secure ? 8883 : 1883)}`;
  } else throw new Error('connectExternalBus: give url, or host (and port)');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`connectExternalBus: "${url}" is not a valid broker URL`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'tls:', 'ssl:'].includes(parsed.protocol)) {
    throw new Error(`connectExternalBus: unsupported protocol "${parsed.protocol}" in broker URL (use mqtt://, mqtts://, ws:// or wss://)`);
  }
  parsed.username = '';
  parsed.password = '';
  return { url, display: parsed.toString().replace(/\/$/, '') };
}

export class ExternalBus implements Bus {
  /** The broker, without credentials. */
  readonly url: string;
  readonly clientId: string;
  readonly publishGate: PublishGate | undefined;
  private readonly client: MqttClient;
  private readonly log: Logger;
  private readonly registry: HandlerRegistry;
  private readonly backoff: ReconnectBackoff;
  private readonly outbox: OfflineOutbox;
  private readonly orphans: OrphanBuffer;

  private currentState: BusConnectionState = 'reconnecting';
  private up = false;
  private closed = false;
  private everConnected = false;
  private lastErrorMessage: string | undefined;
  private loggedErrorMessage: string | undefined;
  private readonly stateListeners = new Set<BusStateListener>();
  private waiters: (() => void)[] = [];

  /** Patterns the broker has acknowledged in the current session. */
  private readonly onBroker = new Set<string>();
  /** Patterns with a SUBSCRIBE or UNSUBSCRIBE under way. */
  private readonly inflight = new Set<string>();
  /** Patterns to SUBSCRIBE again so the broker sends their retained messages to a new handler. */
  private readonly wantsRetained = new Set<string>();
  /** Patterns the broker refused (ACL): not retried until re-added or reconnected. */
  private readonly refused = new Set<string>();

  constructor(opts: ExternalBusOptions) {
    const { url, display } = resolveUrl(opts);
    this.url = display;
    this.publishGate = opts.publishGate;
    this.log = opts.log ?? consoleBusLogger;
    this.registry = new HandlerRegistry(this.log, `bus ${display}`);
    this.backoff = new ReconnectBackoff(opts.reconnect);
    this.outbox = new OfflineOutbox({ maxQos0: opts.maxQueuedQos0 ?? 1_000, maxQos1: opts.maxQueuedQos1 ?? 100_000 });
    this.orphans = new OrphanBuffer({ maxAgeMs: opts.unclaimedMaxAgeMs ?? 60_000, maxMessages: opts.maxUnclaimed ?? 10_000 });
    this.clientId = opts.clientId ?? `wactorz-${randomBytes(6).toString('hex')}`;
    const persistent = opts.persistentSession ?? opts.clientId !== undefined;

    const mqttOptions: IClientOptions = {
      protocolVersion: 4,
      clientId: this.clientId,
      clean: !persistent,
      keepalive: opts.keepaliveSec ?? 30,
      connectTimeout: opts.connectTimeoutMs ?? 10_000,
      // The wait before the first retry; each attempt then sets the one after it (see 'reconnect').
      reconnectPeriod: this.backoff.next(),
      // A broker that restarts may refuse briefly (server unavailable): keep trying, with backoff.
      reconnectOnConnackError: true,
      // We restore subscriptions ourselves, before flushing the outbox (see the file comment).
      resubscribe: false,
      // Offline publishes go to our outbox, never to mqtt.js' unbounded queue.
      queueQoSZero: false,
    };
    if (opts.username !== undefined) mqttOptions.username = opts.username;
    if (opts.password !== undefined) mqttOptions.password = opts.password;
    if (opts.ca !== undefined) mqttOptions.ca = opts.ca;
    if (opts.rejectUnauthorized !== undefined) mqttOptions.rejectUnauthorized = opts.rejectUnauthorized;

    this.client = connect(url, mqttOptions);
    this.client.on('connect', (connack) => this.onConnect(connack));
    this.client.on('close', () => this.onClose());
    this.client.on('reconnect', () => {
      // mqtt.js schedules the attempt after this one with options.reconnectPeriod.
      this.client.options.reconnectPeriod = this.backoff.next();
    });
    this.client.on('error', (err) => this.onError(err));
    this.client.on('message', (topic, payload, packet) => {
      const delivered = this.registry.deliverMatching(topic, payload);
      if (delivered === 0 && packet.qos > 0) this.orphans.add(topic, payload);
    });
  }

  get state(): BusConnectionState {
    return this.currentState;
  }

  /** Why the last connection attempt failed (refused, unreachable…), if it did. */
  get lastError(): string | undefined {
    return this.lastErrorMessage;
  }

  /** Reconnection attempts started since the last successful connect (or since the start). */
  get reconnectAttempts(): number {
    return this.backoff.attempts - 1;
  }

  /** The wait before the next connection attempt, should this one fail (grows up to the cap). */
  get nextRetryMs(): number {
    return this.client.options.reconnectPeriod ?? 0;
  }

  /** QoS 1 messages received that no handler has subscribed to yet (kept for a while). */
  get unclaimedMessages(): number {
    return this.orphans.size;
  }

  /** Publishes waiting for the broker to come back. */
  get queuedPublishes(): number {
    return this.outbox.size;
  }

  /** Calls `listener` on every change of `state`; returns a function that stops it. */
  onStateChange(listener: BusStateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Resolves once connected; rejects with BrokerUnreachableError after `timeoutMs` (or when closed). */
  waitConnected(timeoutMs = 10_000): Promise<void> {
    if (this.up) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const fail = (why: string): void => {
        off();
        clearTimeout(timer);
        const reason = this.lastErrorMessage ? `: ${this.lastErrorMessage}` : '';
        reject(new BrokerUnreachableError(`cannot reach the MQTT broker at ${this.url} ${why}${reason}`));
      };
      const timer = setTimeout(() => fail(`within ${timeoutMs} ms`), timeoutMs);
      const off = this.onStateChange((state) => {
        if (state === 'connected') {
          off();
          clearTimeout(timer);
          resolve();
        } else if (state === 'offline') fail('(bus closed)');
      });
    });
  }

  publish(topic: string, payload: unknown, opts?: PublishOptions): void {
    if (this.closed) {
      this.log('debug', `bus closed: dropped publish to "${topic}"`);
      return;
    }
    let entry: OutboxEntry;
    try {
      assertPublishTopic(topic);
      entry = { topic, payload: encodePayload(payload), qos: opts?.qos ?? 0, retain: opts?.retain ?? false };
    } catch (err) {
      this.log('error', `publish to "${topic}" dropped: ${errorMessage(err)}`);
      return;
    }
    if (this.up) this.send(entry);
    else this.outbox.add(entry);
  }

  subscribe(pattern: string, handler: BusHandler): () => void {
    assertTopicFilter(pattern);
    if (this.closed) {
      this.log('warning', `bus closed: subscription to "${pattern}" ignored`);
      return () => {};
    }
    const { entry, first } = this.registry.add(pattern, handler);
    this.handOrphans(entry);
    if (first) this.refused.delete(pattern);
    // Not first: subscribe again anyway, so the broker sends the retained messages to the new handler.
    else if (this.onBroker.has(pattern) || this.inflight.has(pattern)) this.wantsRetained.add(pattern);
    this.reconcile();
    return () => this.unsubscribe(entry);
  }

  /**
   * Resolves once connected with every pattern subscribed so far acknowledged by the broker.
   * While the broker is unreachable it waits; pair it with waitConnected() for a deadline.
   */
  async ready(): Promise<void> {
    while (!this.closed && !this.settled()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const unsent = this.outbox.size;
    if (unsent > 0) this.log('warning', `bus to ${this.url} closed with ${unsent} publishes still waiting for the broker: dropped`);
    this.outbox.drain();
    this.orphans.clear();
    this.registry.clear();
    this.setState('offline');
    this.wake();
    // Graceful when connected (in-flight QoS 1 finish first), forced when not; never hangs.
    const force = !this.client.connected;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.client.end(true, () => resolve()), CLOSE_GRACE_MS);
      timer.unref();
      this.client.end(force, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Gives a new handler the QoS 1 messages that were waiting for a subscriber (after subscribe() returns). */
  private handOrphans(entry: HandlerEntry): void {
    const waiting = this.orphans.claim(entry.pattern);
    if (waiting.length === 0) return;
    queueMicrotask(() => {
      for (const m of waiting) this.registry.deliver(entry, m.topic, m.payload);
    });
  }

  private unsubscribe(entry: HandlerEntry): void {
    const { last } = this.registry.remove(entry);
    if (!last || this.closed) return;
    this.wantsRetained.delete(entry.pattern);
    this.refused.delete(entry.pattern);
    this.reconcile();
  }

  private send(entry: OutboxEntry): void {
    if (entry.qos === 0) {
      this.client.publish(entry.topic, entry.payload, { qos: 0, retain: entry.retain });
      return;
    }
    this.client.publish(entry.topic, entry.payload, { qos: 1, retain: entry.retain }, (err) => {
      if (err) this.log('warning', `QoS 1 publish to "${entry.topic}" failed: ${errorMessage(err)}`);
    });
  }

  private onConnect(connack: IConnackPacket): void {
    if (this.closed) return;
    // Small MQTT packets must not wait for Nagle's algorithm (≈40 ms per hop on a request–reply).
    (this.client.stream as { setNoDelay?: (noDelay: boolean) => void } | undefined)?.setNoDelay?.(true);
    this.up = true;
    this.backoff.reset();
    this.client.options.reconnectPeriod = this.backoff.next();
    this.lastErrorMessage = undefined;
    this.loggedErrorMessage = undefined;
    // Without a resumed session the broker knows none of our subscriptions (a restart without
    // persistence, a clean session, or an expired one).
    if (!connack.sessionPresent || !this.everConnected) this.onBroker.clear();
    this.inflight.clear();
    this.refused.clear();
    const again = this.everConnected;
    this.everConnected = true;
    // Subscriptions first, then the outbox: the broker handles our packets in order.
    this.reconcile();
    const queued = this.outbox.size;
    const dropped = this.outbox.dropped;
    for (const entry of this.outbox.drain()) this.send(entry);
    this.log(
      'info',
      `${again ? 'reconnected' : 'connected'} to MQTT broker ${this.url}` +
        (queued > 0 ? ` (sent ${queued} queued publishes${dropped > 0 ? `, ${dropped} dropped while offline` : ''})` : ''),
    );
    this.setState('connected');
    this.wake();
  }

  private onClose(): void {
    const wasUp = this.up;
    this.up = false;
    this.inflight.clear(); // mqtt.js has failed their callbacks (volatile packets)
    if (this.closed) return;
    if (wasUp) this.log('warning', `lost the MQTT broker ${this.url}; reconnecting with backoff (publishes are queued meanwhile)`);
    this.setState('reconnecting');
    this.wake();
  }

  private onError(err: Error): void {
    const message = errorMessage(err);
    this.lastErrorMessage = message;
    if (this.closed) return;
    // Once per distinct reason, not once per retry.
    if (message !== this.loggedErrorMessage) {
      this.loggedErrorMessage = message;
      this.log('warning', `MQTT broker ${this.url}: ${message}`);
    }
  }

  /** Brings the broker's subscriptions in line with the local patterns (only while connected). */
  private reconcile(): void {
    if (!this.up || this.closed) return;
    const toSubscribe: string[] = [];
    for (const pattern of this.registry.patterns()) {
      if (this.inflight.has(pattern) || this.refused.has(pattern)) continue;
      if (!this.onBroker.has(pattern) || this.wantsRetained.has(pattern)) toSubscribe.push(pattern);
    }
    const toUnsubscribe = [...this.onBroker].filter((p) => !this.registry.has(p) && !this.inflight.has(p));

    if (toSubscribe.length > 0) {
      for (const p of toSubscribe) {
        this.inflight.add(p);
        this.wantsRetained.delete(p);
      }
      const map: Record<string, { qos: 1 }> = {};
      for (const p of toSubscribe) map[p] = { qos: 1 };
      this.client.subscribe(map, (err, granted) => this.onSubscribed(toSubscribe, err, granted));
    }
    if (toUnsubscribe.length > 0) {
      for (const p of toUnsubscribe) this.inflight.add(p);
      this.client.unsubscribe(toUnsubscribe, (err) => {
        for (const p of toUnsubscribe) {
          this.inflight.delete(p);
          if (!err) this.onBroker.delete(p);
        }
        this.afterSubscriptionChange();
      });
    }
  }

  private onSubscribed(patterns: string[], err: Error | null, granted: ISubscriptionGrant[] | undefined): void {
    for (const p of patterns) this.inflight.delete(p);
    if (err) {
      // Mostly "connection closed": the next connect subscribes again.
      if (this.up) this.log('warning', `subscribing ${patterns.join(', ')} failed: ${errorMessage(err)}`);
    } else {
      for (const p of patterns) {
        const grant = granted?.find((g) => g.topic === p);
        if (grant && grant.qos === 128) {
          this.refused.add(p);
          this.log('error', `the MQTT broker ${this.url} refused the subscription "${p}" (not authorized?)`);
        } else this.onBroker.add(p);
      }
    }
    this.afterSubscriptionChange();
  }

  private afterSubscriptionChange(): void {
    this.reconcile();
    this.wake();
  }

  private settled(): boolean {
    if (!this.up || this.inflight.size > 0 || this.wantsRetained.size > 0) return false;
    for (const p of this.registry.patterns()) if (!this.onBroker.has(p) && !this.refused.has(p)) return false;
    return true;
  }

  private setState(state: BusConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    for (const listener of [...this.stateListeners]) {
      try {
        listener(state);
      } catch (err) {
        this.log('error', `bus state listener failed: ${errorMessage(err)}`);
      }
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Connects (in the background) to an external broker; see ExternalBus. */
export function connectExternalBus(opts: ExternalBusOptions): ExternalBus {
  return new ExternalBus(opts);
}
