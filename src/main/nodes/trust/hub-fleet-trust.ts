/**
 * The hub's side of signed fleet messages (fleet-mac.ts): it signs what it sends a node with that
 * node's key and the next number of its counter, and takes from the bus only what a node signed —
 * for commands' answers and node messages (heartbeat, ack, agents, migrate_result, ask) also only
 * once (`kind` set: FleetCounters.accept); task replies are matched by their unguessable
 * correlation id instead. Everything else is refused and logged (refusal-log.ts). A message signed
 * with a node's `next` key finishes its rotation (HubFleetKeys.promote).
 */
import type { FleetCounters } from './fleet-counters.js';
import type { HubFleetKeys } from './hub-fleet-keys.js';
import { readSigned, signMessage, verifyMac, type SignedMessage } from './fleet-mac.js';
import { RefusalLog, type FleetLog } from './refusal-log.js';

export type OpenedMessage = { ok: true; node: string; kid: string; body: Record<string, unknown> } | { ok: false; error: string };

export interface HubFleetTrustOptions {
  keys: HubFleetKeys;
  counters: FleetCounters;
  log: FleetLog;
  /** `node` signed with its next key: the rotation is done (the key is current now). */
  onPromoted?(node: string): void;
}

export class HubFleetTrust {
  readonly keys: HubFleetKeys;
  private readonly refusals: RefusalLog;
  private readonly unenrolledSaid = new Map<string, number>();
  private readonly promoting = new Set<string>();

  constructor(private readonly o: HubFleetTrustOptions) {
    this.keys = o.keys;
    this.refusals = new RefusalLog(o.log);
  }

  /** `body` signed for `node` on `topic`; undefined (and said, now and then) when the node is not enrolled. */
  seal(node: string, topic: string, body: Record<string, unknown>): SignedMessage | undefined {
    const key = this.o.keys.current(node);
    if (!key) {
      const said = this.unenrolledSaid.get(node) ?? 0;
      if (Date.now() - said > 60_000) {
        this.unenrolledSaid.set(node, Date.now());
        this.o.log('warning', `nodes: ${node} is not enrolled: nothing is sent to it until it is (POST /nodes/${node}/enroll, then \`wactorz node enroll\` on the node)`);
      }
      return undefined;
    }
    return signMessage(key, 'hub', node, topic, this.o.counters.next(node, key.kid), body);
  }

  /**
   * A node's message, checked: signed by `node` (when the topic names it) with a key the hub holds
   * for it, and — with `kind` — a number above every one taken on that kind.
   */
  open(topic: string, raw: Buffer, opts: { node?: string; kind?: string } = {}): OpenedMessage {
    const refuse = (reason: string, level: 'info' | 'warning' = 'warning'): OpenedMessage => {
      this.refusals.refuse(level, topic, reason);
      return { ok: false, error: reason };
    };
    const m = readSigned(raw);
    if (!m.ok) return refuse(m.error === 'unsigned' ? 'unsigned (the original\'s Python nodes and any other bus client cannot sign: only enrolled Wactorz nodes)' : m.error);
    const { auth, body } = m;
    if (opts.node !== undefined && auth.node !== opts.node) return refuse(`signed as node ${auth.node}, not ${opts.node}`);
    if (!this.o.keys.enrolled(auth.node)) return refuse(`node ${auth.node} is not enrolled`);
    const key = this.o.keys.find(auth.node, auth.kid);
    if (!key) return refuse(`key ${auth.kid} is not ${auth.node}'s (an old, revoked or foreign key)`);
    if (!verifyMac(key, 'node', topic, auth, body)) return refuse(`bad signature for node ${auth.node} (forged or altered)`);
    if (opts.kind !== undefined) {
      const taken = this.o.counters.accept(auth.node, auth.kid, opts.kind, auth.seq);
      if (taken === 'repeat') return refuse(`seq ${auth.seq} of ${auth.node} was taken already (a redelivery or a replay)`, 'info');
      if (taken === 'old') return refuse(`seq ${auth.seq} of ${auth.node} is below one taken already (a replay, or its counter was rewound)`);
    }
    if (this.o.keys.next(auth.node)?.kid === auth.kid && !this.promoting.has(auth.node)) void this.promote(auth.node, auth.kid);
    return { ok: true, node: auth.node, kid: auth.kid, body };
  }

  private async promote(node: string, kid: string): Promise<void> {
    this.promoting.add(node);
    try {
      if (!(await this.o.keys.promote(node, kid))) return;
      this.o.counters.forget(node, [kid]);
      this.o.log('info', `nodes: ${node} now uses its new fleet key ${kid}`);
      this.o.onPromoted?.(node);
    } catch (e) {
      this.o.log('error', `nodes: could not store ${node}'s new fleet key: ${(e as Error).message}`);
    } finally {
      this.promoting.delete(node);
    }
  }
}
