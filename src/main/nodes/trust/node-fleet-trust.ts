/**
 * A node's side of signed fleet messages (fleet-mac.ts): everything it sends the hub is signed with
 * its key and the next number of its counter; from the bus it takes only what the hub signed with
 * its key — commands also only once, by number (`kind` set: FleetCounters.accept), so a retained
 * command is run once however late it comes, and never again. Anything else is refused and logged.
 * A message signed with the current key after a rotation retires the previous key.
 */
import type { FleetCounters } from './fleet-counters.js';
import type { NodeFleetKey } from './node-fleet-key.js';
import { readSigned, signMessage, verifyMac, type SignedMessage } from './fleet-mac.js';
import { RefusalLog, type FleetLog } from './refusal-log.js';
import type { OpenedMessage } from './hub-fleet-trust.js';

const HUB = 'hub';

export class NodeFleetTrust {
  private readonly refusals: RefusalLog;

  constructor(
    readonly key: NodeFleetKey,
    private readonly counters: FleetCounters,
    private readonly log: FleetLog,
  ) {
    this.refusals = new RefusalLog(log);
  }

  get node(): string {
    return this.key.node;
  }

  seal(topic: string, body: Record<string, unknown>): SignedMessage {
    const k = this.key.current;
    return signMessage(k, 'node', this.node, topic, this.counters.next(HUB, k.kid), body);
  }

  open(topic: string, raw: Buffer, opts: { kind?: string } = {}): OpenedMessage {
    const refuse = (reason: string, level: 'info' | 'warning' = 'warning'): OpenedMessage => {
      this.refusals.refuse(level, topic, reason);
      return { ok: false, error: reason };
    };
    const m = readSigned(raw);
    if (!m.ok) return refuse(m.error === 'unsigned' ? 'unsigned: only the hub this node is enrolled with can command it' : m.error);
    const { auth, body } = m;
    if (auth.node !== this.node) return refuse(`signed for node ${auth.node}, not this one`);
    const key = this.key.find(auth.kid);
    if (!key) return refuse(`key ${auth.kid} is not this node's (another node's, a retired or a foreign key)`);
    if (!verifyMac(key, 'hub', topic, auth, body)) return refuse('bad signature (forged or altered)');
    if (opts.kind !== undefined) {
      const taken = this.counters.accept(HUB, auth.kid, opts.kind, auth.seq);
      if (taken === 'repeat') return refuse(`seq ${auth.seq} was taken already (the broker's retained copy, a redelivery, or a replay)`, 'info');
      if (taken === 'old') return refuse(`seq ${auth.seq} is below one taken already (a replay, or the hub's counter was rewound)`);
    }
    if (key === this.key.current && this.key.previous) void this.retire();
    return { ok: true, node: this.node, kid: auth.kid, body };
  }

  private async retire(): Promise<void> {
    try {
      await this.key.retirePrevious();
      this.counters.forget(HUB, [this.key.current.kid]);
      this.log('info', `fleet key ${this.key.current.kid} in use by the hub: the previous key is retired`);
    } catch (e) {
      this.log('error', `could not retire the previous fleet key: ${(e as Error).message}`);
    }
  }
}
