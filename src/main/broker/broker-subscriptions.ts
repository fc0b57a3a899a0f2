/**
 * The external bus' subscriptions as the broker holds them, kept in line with its local patterns
 * (handler-registry.ts): one SUBSCRIBE/UNSUBSCRIBE per batch of changed patterns, never two under
 * way for one pattern, a pattern re-subscribed when a new handler wants its retained messages, and a
 * pattern the broker refused (ACL) left alone until it is re-added or the bus reconnects — retrying
 * it would only be refused again. The bus owns the connection; this file owns what the broker knows.
 */
import type { ISubscriptionGrant, MqttClient } from 'mqtt';
import type { Logger } from '../base/logger.js';
import { errorMessage } from './bus-log.js';
import type { HandlerRegistry } from './handler-registry.js';

export interface BrokerSubscriptionsDeps {
  client: MqttClient;
  registry: HandlerRegistry;
  log: Logger;
  /** The broker, without credentials (for log lines). */
  url: string;
  /** Connected (CONNACK received, no close since). */
  up(): boolean;
  /** The bus was closed: the broker's subscriptions no longer matter. */
  closed(): boolean;
  /** A SUBSCRIBE or UNSUBSCRIBE was answered (the bus wakes whoever waits in ready()). */
  changed(): void;
}

export class BrokerSubscriptions {
  /** Patterns the broker has acknowledged in the current session. */
  private readonly onBroker = new Set<string>();
  /** Patterns with a SUBSCRIBE or UNSUBSCRIBE under way. */
  private readonly inflight = new Set<string>();
  /** Patterns to SUBSCRIBE again so the broker sends their retained messages to a new handler. */
  private readonly wantsRetained = new Set<string>();
  /** Patterns the broker refused (ACL): not retried until re-added or reconnected. */
  private readonly refused = new Set<string>();

  constructor(private readonly d: BrokerSubscriptionsDeps) {}

  /** A handler was added to `pattern` (`first`: the pattern had none). */
  added(pattern: string, first: boolean): void {
    if (first) this.refused.delete(pattern);
    // Not first: subscribe again anyway, so the broker sends the retained messages to the new handler.
    else if (this.onBroker.has(pattern) || this.inflight.has(pattern)) this.wantsRetained.add(pattern);
    this.reconcile();
  }

  /** The last handler of `pattern` went. */
  removed(pattern: string): void {
    this.wantsRetained.delete(pattern);
    this.refused.delete(pattern);
    this.reconcile();
  }

  /** A new connection; `sessionResumed`: the broker still has the subscriptions of the last one. */
  connected(sessionResumed: boolean): void {
    // Without a resumed session the broker knows none of our subscriptions (a restart without
    // persistence, a clean session, or an expired one).
    if (!sessionResumed) this.onBroker.clear();
    this.inflight.clear();
    this.refused.clear();
  }

  /** The connection closed: mqtt.js has failed the callbacks of what was under way (volatile packets). */
  disconnected(): void {
    this.inflight.clear();
  }

  /** Every local pattern acknowledged (or refused) by the broker, nothing under way. */
  settled(): boolean {
    if (this.inflight.size > 0 || this.wantsRetained.size > 0) return false;
    for (const p of this.d.registry.patterns()) if (!this.onBroker.has(p) && !this.refused.has(p)) return false;
    return true;
  }

  /** Brings the broker's subscriptions in line with the local patterns (only while connected). */
  reconcile(): void {
    if (!this.d.up() || this.d.closed()) return;
    const { registry, client } = this.d;
    const toSubscribe: string[] = [];
    for (const pattern of registry.patterns()) {
      if (this.inflight.has(pattern) || this.refused.has(pattern)) continue;
      if (!this.onBroker.has(pattern) || this.wantsRetained.has(pattern)) toSubscribe.push(pattern);
    }
    const toUnsubscribe = [...this.onBroker].filter((p) => !registry.has(p) && !this.inflight.has(p));

    if (toSubscribe.length > 0) {
      for (const p of toSubscribe) {
        this.inflight.add(p);
        this.wantsRetained.delete(p);
      }
      const map: Record<string, { qos: 1 }> = {};
      for (const p of toSubscribe) map[p] = { qos: 1 };
      client.subscribe(map, (err, granted) => this.onSubscribed(toSubscribe, err, granted));
    }
    if (toUnsubscribe.length > 0) {
      for (const p of toUnsubscribe) this.inflight.add(p);
      client.unsubscribe(toUnsubscribe, (err) => {
        for (const p of toUnsubscribe) {
          this.inflight.delete(p);
          if (!err) this.onBroker.delete(p);
        }
        this.afterChange();
      });
    }
  }

  private onSubscribed(patterns: string[], err: Error | null, granted: ISubscriptionGrant[] | undefined): void {
    for (const p of patterns) this.inflight.delete(p);
    if (err) {
      // Mostly "connection closed": the next connect subscribes again.
      if (this.d.up()) this.d.log('warning', `subscribing ${patterns.join(', ')} failed: ${errorMessage(err)}`);
    } else {
      for (const p of patterns) {
        const grant = granted?.find((g) => g.topic === p);
        if (grant && grant.qos === 128) {
          this.refused.add(p);
          this.d.log('error', `the MQTT broker ${this.d.url} refused the subscription "${p}" (not authorized?)`);
        } else this.onBroker.add(p);
      }
    }
    this.afterChange();
  }

  private afterChange(): void {
    this.reconcile();
    this.d.changed();
  }
}
