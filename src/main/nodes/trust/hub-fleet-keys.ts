/**
 * The hub's fleet keys: one per enrolled node, in the secret store (`fleet.node.<node>`: the key
 * the hub signs with, `current`, and during a rotation the one the node is being given, `next`),
 * loaded once at start and kept in memory so signing and checking stay synchronous. Never in
 * SQLite, a log line or an API answer — except the enrollment code, once, to whoever enrolls.
 *
 *   enroll(node)      a new key replaces any other at once (a leaked key: enroll again)
 *   beginRotation     a `next` key (or the one already under way), given over the bus
 *   promote(node,kid) the node has signed with `next`: it becomes `current`
 *   revoke(node)      forgotten: the node's messages are refused and nothing is signed for it
 */
import type { SecretStore } from '../../secrets/secret-store.js';
import { decodeKey, encodeKey, generateFleetKey, type FleetKey } from './fleet-mac.js';

const PREFIX = 'fleet.node.';

interface NodeKeys {
  current: FleetKey;
  next?: FleetKey;
}

export class HubFleetKeys {
  private readonly keys = new Map<string, NodeKeys>();
  /** Writes go one at a time, in call order. */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: SecretStore) {}

  async load(log?: (level: 'warning', message: string) => void): Promise<void> {
    for (const name of await this.store.names(PREFIX)) {
      const node = name.slice(PREFIX.length);
      const parsed = parse(await this.store.get(name));
      if (parsed) this.keys.set(node, parsed);
      else log?.('warning', `nodes: the fleet key of ${node} in the secret store is unreadable: enroll the node again`);
    }
  }

  enrolled(node: string): boolean {
    return this.keys.has(node);
  }

  nodes(): string[] {
    return [...this.keys.keys()].sort();
  }

  /** The key the hub signs `node`'s messages with. */
  current(node: string): FleetKey | undefined {
    return this.keys.get(node)?.current;
  }

  next(node: string): FleetKey | undefined {
    return this.keys.get(node)?.next;
  }

  /** The key `kid` of `node`, if the hub accepts it (current, or the next one of a rotation). */
  find(node: string, kid: string): FleetKey | undefined {
    const k = this.keys.get(node);
    if (k?.current.kid === kid) return k.current;
    if (k?.next?.kid === kid) return k.next;
    return undefined;
  }

  async enroll(node: string): Promise<FleetKey> {
    const key = generateFleetKey();
    await this.save(node, { current: key });
    return key;
  }

  async beginRotation(node: string): Promise<{ current: FleetKey; next: FleetKey }> {
    const k = this.keys.get(node);
    if (!k) throw new Error(`node ${node} is not enrolled`);
    if (k.next) return { current: k.current, next: k.next };
    const next = generateFleetKey();
    await this.save(node, { current: k.current, next });
    return { current: k.current, next };
  }

  /** True when `kid` was `node`'s next key and is now its current one. */
  async promote(node: string, kid: string): Promise<boolean> {
    const k = this.keys.get(node);
    if (!k?.next || k.next.kid !== kid) return false;
    await this.save(node, { current: k.next });
    return true;
  }

  async revoke(node: string): Promise<boolean> {
    if (!this.keys.has(node)) return false;
    this.keys.delete(node);
    await this.queue(() => this.store.delete(`${PREFIX}${node}`));
    return true;
  }

  private async save(node: string, keys: NodeKeys): Promise<void> {
    // Stored first: a key the hub signs with is never one it would lose at a restart.
    const value = JSON.stringify({ current: encodeKey(keys.current), ...(keys.next ? { next: encodeKey(keys.next) } : {}) });
    await this.queue(() => this.store.set(`${PREFIX}${node}`, value));
    this.keys.set(node, keys);
  }

  private queue<T>(write: () => Promise<T>): Promise<T> {
    const run = this.writing.then(write, write);
    this.writing = run.catch(() => undefined);
    return run;
  }
}

function parse(value: string | undefined): NodeKeys | undefined {
  if (!value) return undefined;
  try {
    const v = JSON.parse(value) as { current?: unknown; next?: unknown };
    const current = decodeKey(v.current);
    if (!current) return undefined;
    const next = decodeKey(v.next);
    return next ? { current, next } : { current };
  } catch {
    return undefined;
  }
}
