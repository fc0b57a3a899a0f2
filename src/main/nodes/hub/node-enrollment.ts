/**
 * Enrollment and key rotation of nodes, on the hub (the keys: trust/hub-fleet-keys.ts, in the
 * secret store):
 *
 *   enroll(node)   a new key, returned once as an enrollment code for `wactorz node enroll` on the
 *                  node. Any key the node had stops working at once (re-enroll a node whose key
 *                  leaked); its counters start afresh.
 *   rotate(node)   routine rotation over the bus: a `rekey` command through the outbox (in order
 *                  with the node's other queued commands) carries the next key encrypted with the
 *                  current one; the node stores it and answers with it, and the hub switches
 *                  (HubFleetTrust → promote). Commands queued before or after are signed with the
 *                  key in use when each is sent, so none is lost. A node away gets it when back.
 *   revoke(node)   the key is forgotten: the node's messages are refused, nothing is signed for it.
 */
import { randomUUID } from 'node:crypto';
import type { RekeyCommand } from '../../../shared/node-protocol.js';
import { NODE_NAME_PATTERN } from '../../../shared/node-protocol.js';
import type { FleetCounters } from '../trust/fleet-counters.js';
import { wrapFleetKey } from '../trust/fleet-mac.js';
import type { HubFleetKeys } from '../trust/hub-fleet-keys.js';
import { formatEnrollmentCode } from '../trust/enrollment-code.js';
import type { CommandOutbox } from './command-outbox.js';
import { NodeRegistryError } from './node-registry-types.js';

export interface NodeEnrollmentDeps {
  keys: HubFleetKeys;
  counters: FleetCounters;
  outbox: CommandOutbox;
  enqueue(node: string, kind: 'rekey', payload: RekeyCommand): void;
  /** A node the hub addresses before it has heard from it. */
  expectNode(node: string): void;
  /** After a new key: the node's desired state again, signed with it. */
  rekeyed(node: string): void;
  waitFor<T>(check: () => T | undefined, ms: number): Promise<T | undefined>;
  log(level: 'info' | 'warning', message: string): void;
}

export interface Enrollment {
  node: string;
  key_id: string;
  /** The node's key: shown this once. */
  code: string;
  /** What to run on the node. */
  command: string;
  replaced: boolean;
}

export interface RotationReport {
  node: string;
  /** done: the node uses the new key; pending: it gets it when it is back (or answers). */
  status: 'done' | 'pending';
  key_id: string;
  previous_key_id: string;
  message: string;
}

export class NodeEnrollment {
  constructor(private readonly d: NodeEnrollmentDeps) {}

  async enroll(node: string, opts: { replace?: boolean } = {}): Promise<Enrollment> {
    if (!NODE_NAME_PATTERN.test(node)) throw new NodeRegistryError('bad_input', `invalid node name "${node}": letters, digits, - and _ (up to 64)`);
    const replaced = this.d.keys.enrolled(node);
    if (replaced && !opts.replace) {
      throw new NodeRegistryError('conflict', `node ${node} is enrolled already; to give it a new key (its current one stops working at once) ask again with {"replace": true}, or rotate it (POST /nodes/${node}/key/rotate)`);
    }
    const key = await this.d.keys.enroll(node);
    this.d.counters.forget(node, [key.kid]);
    // A rotation under way was for the key that is gone.
    for (const c of this.d.outbox.pending(node)) if (c.kind === 'rekey') this.d.outbox.ack(c.commandId, false, 'superseded by a new enrollment');
    this.d.expectNode(node);
    this.d.log('info', `nodes: ${node} ${replaced ? 're-enrolled (its previous key no longer works)' : 'enrolled'} with key ${key.kid}`);
    this.d.rekeyed(node);
    const code = formatEnrollmentCode(node, key);
    return { node, key_id: key.kid, code, command: `wactorz node enroll --name ${node} --code ${code}`, replaced };
  }

  async rotate(node: string, waitMs: number): Promise<RotationReport> {
    if (!this.d.keys.enrolled(node)) throw new NodeRegistryError('not_found', `node ${node} is not enrolled (POST /nodes/${node}/enroll)`);
    const { current, next } = await this.d.keys.beginRotation(node);
    const under = this.d.outbox.pending(node).some((c) => c.kind === 'rekey' && c.payload.kid === next.kid);
    if (!under) {
      this.d.enqueue(node, 'rekey', { command_id: randomUUID(), kid: next.kid, wrap_kid: current.kid, wrapped: wrapFleetKey(current, next, node) });
      this.d.log('info', `nodes: rotating ${node}'s fleet key ${current.kid} → ${next.kid}`);
    }
    const done = await this.d.waitFor(() => (this.d.keys.current(node)?.kid === next.kid ? true : undefined), waitMs);
    const base = { node, key_id: next.kid, previous_key_id: current.kid };
    return done
      ? { ...base, status: 'done', message: `Node ${node} now uses key ${next.kid}.` }
      : { ...base, status: 'pending', message: `Node ${node} gets key ${next.kid} with its next commands (it is away, or has not answered yet); until then ${current.kid} stays in use.` };
  }

  async revoke(node: string): Promise<boolean> {
    const had = await this.d.keys.revoke(node);
    if (had) {
      this.d.counters.forget(node);
      this.d.log('warning', `nodes: ${node}'s fleet key is revoked: its messages are refused until it is enrolled again`);
    }
    return had;
  }
}
