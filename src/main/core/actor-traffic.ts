/**
 * Who publishes and who listens, as the actor system sees it — what the graph of agents is drawn
 * from (src/main/graph). The bus itself does not know who sent a message, so the places where an
 * actor reaches the bus say so here: `Actor.publish`/`subscribe` and a DynamicAgent's host.
 *
 * - **Subscriptions**: each actor's live topic filters, reference-counted (two subscriptions to
 *   one filter are one line in the graph; the last unsubscribe removes it). A node reports its
 *   agents' filters from its own ActorSystem in its heartbeat.
 * - **Publishes**: one optional tap, called with the publisher and the topic on every publish. It
 *   is on the hot path: whoever sets it keeps it to a counter (graph/traffic-counter.ts); nothing
 *   is allocated here when no tap is set.
 */

/** The publisher as a tap sees it (an Actor is one). */
export interface TrafficSource {
  readonly name: string;
  readonly actorId: string;
}

export type PublishTap = (publisher: TrafficSource, topic: string) => void;

export class ActorTraffic {
  private readonly subs = new Map<string, Map<string, number>>();
  private tap: PublishTap | undefined;

  /** Records that `actor` listens on `pattern`; the returned function takes it back (once). */
  subscribed(actor: string, pattern: string): () => void {
    let patterns = this.subs.get(actor);
    if (!patterns) this.subs.set(actor, (patterns = new Map()));
    patterns.set(pattern, (patterns.get(pattern) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const p = this.subs.get(actor);
      const n = p?.get(pattern) ?? 0;
      if (!p || n <= 1) {
        p?.delete(pattern);
        if (p?.size === 0) this.subs.delete(actor);
      } else p.set(pattern, n - 1);
    };
  }

  /** The filters `actor` listens on now. */
  patternsOf(actor: string): string[] {
    return [...(this.subs.get(actor)?.keys() ?? [])];
  }

  /** Every actor with live subscriptions, and its filters. */
  all(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [actor, patterns] of this.subs) out.set(actor, [...patterns.keys()]);
    return out;
  }

  /** The filters of the named actors that have any (a node's heartbeat field), at most `max` each. */
  subscriptionsOf(names: readonly string[], max = 100): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const name of names) {
      const patterns = this.patternsOf(name);
      if (patterns.length) out[name] = patterns.slice(0, max);
    }
    return out;
  }

  /** Sets (or clears, with undefined) the one publish tap. */
  setTap(tap: PublishTap | undefined): void {
    this.tap = tap;
  }

  /** Called by whoever publishes for an actor, before the bus gets the message. */
  published(publisher: TrafficSource, topic: string): void {
    this.tap?.(publisher, topic);
  }
}
