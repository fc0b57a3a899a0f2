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
 *
 * This file is the connection's life (connect, lose, reconnect, close) and the Bus methods. Kept
 * apart: the options and what mqtt.js is told (external-bus-options.ts), the broker's side of the
 * subscriptions (broker-subscriptions.ts), local dispatch (handler-registry.ts), the outbox, the
 * unclaimed-message buffer and the backoff (offline-outbox.ts, orphan-buffer.ts, reconnect-backoff.ts).
 */
import { type IConnackPacket, type MqttClient, connect } from 'mqtt';
import { type Bus, type BusConnectionState, type BusHandler, encodePayload, type PublishGate, type PublishOptions } from '../core/bus.js';
import type { Logger } from '../base/logger.js';
import { consoleBusLogger, errorMessage } from './bus-log.js';
import { type HandlerEntry, HandlerRegistry } from './handler-registry.js';
import { OfflineOutbox, type OutboxEntry } from './offline-outbox.js';
import { OrphanBuffer } from './orphan-buffer.js';
import { ReconnectBackoff } from './reconnect-backoff.js';
import { assertPublishTopic, assertTopicFilter } from './topic-validation.js';
import { BrokerSubscriptions } from './broker-subscriptions.js';
import { brokerClientSetup, type ExternalBusOptions } from './external-bus-options.js';

/** `waitConnected` gave up: the broker could not be reached (or refused us) in time. */
export class BrokerUnreachableError extends Error {
  override name = 'BrokerUnreachableError';
  readonly code = 'EBROKERUNREACHABLE';
}

export type BusStateListener = (state: BusConnectionState) => void;

const CLOSE_GRACE_MS = 5_000;

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
  private readonly subscriptions: BrokerSubscriptions;

  private currentState: BusConnectionState = 'reconnecting';
  private up = false;
  private closed = false;
  private everConnected = false;
  private lastErrorMessage: string | undefined;
  private loggedErrorMessage: string | undefined;
  private readonly stateListeners = new Set<BusStateListener>();
  private waiters: (() => void)[] = [];

  constructor(opts: ExternalBusOptions) {
    this.backoff = new ReconnectBackoff(opts.reconnect);
    const { url, display, clientId, mqtt } = brokerClientSetup(opts, this.backoff.next());
    this.url = display;
    this.clientId = clientId;
    this.publishGate = opts.publishGate;
    this.log = opts.log ?? consoleBusLogger;
    this.registry = new HandlerRegistry(this.log, `bus ${display}`);
    this.outbox = new OfflineOutbox({ maxQos0: opts.maxQueuedQos0 ?? 1_000, maxQos1: opts.maxQueuedQos1 ?? 100_000 });
    this.orphans = new OrphanBuffer({ maxAgeMs: opts.unclaimedMaxAgeMs ?? 60_000, maxMessages: opts.maxUnclaimed ?? 10_000 });

    this.client = connect(url, mqtt);
    this.subscriptions = new BrokerSubscriptions({
      client: this.client,
      registry: this.registry,
      log: this.log,
      url: display,
      up: () => this.up,
      closed: () => this.closed,
      changed: () => this.wake(),
    });
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
    this.subscriptions.added(pattern, first);
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
    this.subscriptions.removed(entry.pattern);
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
    this.subscriptions.connected(connack.sessionPresent && this.everConnected);
    const again = this.everConnected;
    this.everConnected = true;
    // Subscriptions first, then the outbox: the broker handles our packets in order.
    this.subscriptions.reconcile();
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
    this.subscriptions.disconnected();
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

  private settled(): boolean {
    return this.up && this.subscriptions.settled();
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
