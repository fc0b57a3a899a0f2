/**
 * Signs messages as a node would (its key from an enrollment code, its own sequence numbers), for
 * tests that play a node — or a forger — on a raw MQTT client.
 *
 *   const garage = new NodeSigner(enrollment.code);
 *   client.publish('nodes/garage/ask', JSON.stringify(garage.sign('nodes/garage/ask', {...})));
 */
import { parseEnrollmentCode } from '../trust/enrollment-code.js';
import { readSigned, signMessage, verifyMac, type FleetKey, type SignedMessage } from '../trust/fleet-mac.js';

export class NodeSigner {
  readonly node: string;
  readonly key: FleetKey;
  seq = 0;

  constructor(code: string) {
    const p = parseEnrollmentCode(code);
    if (!p.ok) throw new Error(p.error);
    this.node = p.node;
    this.key = p.key;
  }

  /** Signed as this node (`dir` node), or as the hub signs for it (`dir` hub: what only the hub should do). */
  sign(topic: string, body: Record<string, unknown>, opts: { seq?: number; dir?: 'hub' | 'node'; node?: string } = {}): SignedMessage {
    const seq = opts.seq ?? ++this.seq;
    return signMessage(this.key, opts.dir ?? 'node', opts.node ?? this.node, topic, seq, body);
  }

  /** Whether the hub signed `raw` (received on `topic`) for this node. */
  signedByHub(topic: string, raw: string): boolean {
    const m = readSigned(raw);
    return m.ok && m.auth.node === this.node && m.auth.kid === this.key.kid && verifyMac(this.key, 'hub', topic, m.auth, m.body);
  }
}
