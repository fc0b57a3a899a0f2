/**
 * The hub's own Bus when it runs the embedded broker: publishes go straight into aedes
 * (`aedes.publish`, no socket to itself) and subscriptions are aedes' internal listeners, so
 * heartbeats and logs cost no TCP round trip. Retain and QoS behave as for a network client:
 * retained messages are stored for late subscribers, QoS 1 messages are queued for offline
 * persistent sessions, and a new subscriber gets the retained messages that match its pattern.
 */
import type { Aedes, AedesPublishPacket, PublishPacket } from 'aedes';
import { type Bus, type BusConnectionState, type BusHandler, encodePayload, type PublishGate, type PublishOptions } from '../core/bus.js';
import type { Logger } from '../base/logger.js';
import { consoleBusLogger, errorMessage } from './bus-log.js';
import { type HandlerEntry, HandlerRegistry } from './handler-registry.js';
import { InProcessPublisher, type InProcessPublisherOptions } from './in-process-publisher.js';
import { assertPublishTopic, assertTopicFilter, wildcardSkipsTopic } from './topic-validation.js';
import type { RetainedPersistence } from './retained-index.js';

type DeliverFunc = (packet: AedesPublishPacket, done: () => void) => void;

/** The part of aedes' persistence used to replay retained messages (the embedded broker's is retained-index.ts). */
type RetainedSource = Pick<RetainedPersistence, 'createRetainedStream'>;

export interface InProcessBusOptions extends InProcessPublisherOptions {
  log?: Logger;
  /** Limits for agents' publishes (publish-limits.ts). */
  publishGate?: PublishGate;
}

const EMPTY = Buffer.alloc(0);

function asBuffer(payload: string | Buffer | undefined): Buffer {
  if (payload === undefined) return EMPTY;
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
}

export class InProcessBus implements Bus {
  private readonly registry: HandlerRegistry;
  private readonly log: Logger;
  /** One aedes listener per pattern; handlers of the pattern share it. */
  private readonly deliverFuncs = new Map<string, DeliverFunc>();
  /** Resolves when the pattern's aedes listener is registered (its later handlers wait for it too). */
  private readonly brokerSubscription = new Map<string, Promise<void>>();
  /** Subscriptions and retained replays still under way (what `ready()` waits for). */
  private readonly pending = new Set<Promise<void>>();
  private closed = false;
  private readonly publisher: InProcessPublisher;
  /** Handlers whose retained replay is under way → retained topics they got live meanwhile (not replayed again). */
  private readonly replaying = new Map<HandlerEntry, Set<string>>();
  readonly publishGate: PublishGate | undefined;

  constructor(
    private readonly aedes: Aedes,
    opts: InProcessBusOptions = {},
  ) {
    this.log = opts.log ?? consoleBusLogger;
    this.publishGate = opts.publishGate;
    this.registry = new HandlerRegistry(this.log, 'in-process bus');
    this.publisher = new InProcessPublisher(aedes, this.log, opts);
  }

  get state(): BusConnectionState {
    return this.closed || this.aedes.closed ? 'offline' : 'connected';
  }

  publish(topic: string, payload: unknown, opts?: PublishOptions): void {
    if (this.closed) {
      this.log('debug', `in-process bus closed: dropped publish to "${topic}"`);
      return;
    }
    let packet: PublishPacket;
    try {
      assertPublishTopic(topic);
      packet = { cmd: 'publish', topic, payload: encodePayload(payload), qos: opts?.qos ?? 0, retain: opts?.retain ?? false, dup: false };
    } catch (err) {
      this.log('error', `publish to "${topic}" dropped: ${errorMessage(err)}`);
      return;
    }
    this.publisher.push(this.publisher.stamp(packet));
  }

  subscribe(pattern: string, handler: BusHandler): () => void {
    assertTopicFilter(pattern);
    if (this.closed) {
      this.log('warning', `in-process bus closed: subscription to "${pattern}" ignored`);
      return () => {};
    }
    const { entry, first } = this.registry.add(pattern, handler);
    const subscribed = first ? this.subscribeOnBroker(pattern) : this.brokerSubscription.get(pattern);
    this.track(this.replayRetained(entry, subscribed));
    return () => this.unsubscribe(entry);
  }

  /** Resolves once every subscription so far is registered (and its retained replay done) and every publish so far is in aedes. */
  async ready(): Promise<void> {
    await this.publisher.whenEmitted();
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.publisher.close();
    await Promise.all([...this.deliverFuncs].map(([pattern, func]) => this.unsubscribeOnBroker(pattern, func)));
    this.deliverFuncs.clear();
    this.brokerSubscription.clear();
    this.registry.clear();
  }

  private subscribeOnBroker(pattern: string): Promise<void> {
    const deliver: DeliverFunc = (packet, done) => {
      // aedes removes a listener one tick late: a replaced one must not deliver twice.
      // aedes' own listeners see $SYS; MQTT says a leading wildcard must not ([MQTT-4.7.2-1]).
      if (this.deliverFuncs.get(pattern) === deliver && !wildcardSkipsTopic(pattern, packet.topic)) {
        if (packet.retain && this.replaying.size > 0) this.noteLiveRetained(pattern, packet.topic);
        this.registry.deliverToPattern(pattern, packet.topic, asBuffer(packet.payload));
      }
      done();
    };
    this.deliverFuncs.set(pattern, deliver);
    const registered = new Promise<void>((resolve) => this.aedes.subscribe(pattern, deliver, resolve));
    this.brokerSubscription.set(pattern, registered);
    return registered;
  }

  private unsubscribe(entry: HandlerEntry): void {
    const { last } = this.registry.remove(entry);
    if (!last || this.closed) return;
    const func = this.deliverFuncs.get(entry.pattern);
    this.deliverFuncs.delete(entry.pattern);
    this.brokerSubscription.delete(entry.pattern);
    if (func) this.track(this.unsubscribeOnBroker(entry.pattern, func));
  }

  private unsubscribeOnBroker(pattern: string, func: DeliverFunc): Promise<void> {
    if (this.aedes.closed) return Promise.resolve();
    return new Promise<void>((resolve) => this.aedes.unsubscribe(pattern, func, resolve));
  }

  /**
   * Gives one new handler the retained messages matching its pattern, as a broker does on
   * SUBSCRIBE. A retained topic that reached it live meanwhile is skipped: the live one is at
   * least as new as the stored one.
   */
  private async replayRetained(entry: HandlerEntry, subscribed: Promise<void> | undefined): Promise<void> {
    const seenLive = new Set<string>();
    this.replaying.set(entry, seenLive);
    try {
      await subscribed;
      const persistence = (this.aedes as unknown as { persistence?: RetainedSource }).persistence;
      if (!entry.active || !persistence) return;
      for await (const packet of persistence.createRetainedStream(entry.pattern) as AsyncIterable<AedesPublishPacket>) {
        if (!entry.active) break;
        if (wildcardSkipsTopic(entry.pattern, packet.topic) || seenLive.has(packet.topic)) continue;
        this.registry.deliver(entry, packet.topic, asBuffer(packet.payload));
      }
    } catch (err) {
      this.log('error', `retained messages for "${entry.pattern}" could not be read: ${errorMessage(err)}`);
    } finally {
      this.replaying.delete(entry);
    }
  }

  private noteLiveRetained(pattern: string, topic: string): void {
    for (const [entry, seen] of this.replaying) if (entry.pattern === pattern) seen.add(topic);
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    const done = (): void => void this.pending.delete(work);
    work.then(done, done);
  }
}
