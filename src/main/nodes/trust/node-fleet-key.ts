/**
 * A node's fleet key, in the node's own secret store (`<stateDir>/secrets.json`, 0600 in the 0700
 * state dir; name `fleet.key`): `current` signs what the node sends and checks what the hub sends;
 * after a rotation `previous` is still accepted from the hub until the hub has signed with
 * `current` once (a message signed just before the switch is not lost). Written by
 * `wactorz node enroll` (installEnrollment) and by the `rekey` command.
 */
import { join } from 'node:path';
import { FileSecretStore } from '../../secrets/file-secret-store.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import { secureStateDir } from '../../persistence/state-dir.js';
import { decodeKey, encodeKey, type FleetKey } from './fleet-mac.js';
import { parseEnrollmentCode } from './enrollment-code.js';

const NAME = 'fleet.key';
export const NODE_SECRETS_FILE = 'secrets.json';

export class NodeFleetKey {
  private constructor(
    private readonly store: SecretStore,
    readonly node: string,
    private cur: FleetKey,
    private prev: FleetKey | undefined,
  ) {}

  /** The node's key, or undefined when it was never enrolled (or enrolled under another name). */
  static async open(store: SecretStore, node: string): Promise<NodeFleetKey | { error: string }> {
    const raw = await store.get(NAME);
    if (!raw) return { error: `node ${node} is not enrolled` };
    let v: { node?: unknown; current?: unknown; previous?: unknown };
    try {
      v = JSON.parse(raw) as typeof v;
    } catch {
      return { error: 'its fleet key in the secret store is unreadable' };
    }
    const current = decodeKey(v.current);
    if (!current) return { error: 'its fleet key in the secret store is unreadable' };
    if (v.node !== node) return { error: `this state dir was enrolled as node ${String(v.node)}, not ${node}` };
    return new NodeFleetKey(store, node, current, decodeKey(v.previous));
  }

  get current(): FleetKey {
    return this.cur;
  }

  get previous(): FleetKey | undefined {
    return this.prev;
  }

  find(kid: string): FleetKey | undefined {
    if (this.cur.kid === kid) return this.cur;
    return this.prev?.kid === kid ? this.prev : undefined;
  }

  /** The key the hub rotated to (stored before it is used). */
  async rotate(next: FleetKey): Promise<void> {
    if (next.kid === this.cur.kid) return;
    await save(this.store, this.node, next, this.cur);
    this.prev = this.cur;
    this.cur = next;
  }

  /** The hub has signed with the current key: the previous one is no longer accepted. */
  async retirePrevious(): Promise<void> {
    if (!this.prev) return;
    this.prev = undefined;
    await save(this.store, this.node, this.cur);
  }
}

async function save(store: SecretStore, node: string, current: FleetKey, previous?: FleetKey): Promise<void> {
  await store.set(NAME, JSON.stringify({ node, current: encodeKey(current), ...(previous ? { previous: encodeKey(previous) } : {}) }));
}

/** The node's secret store in its state dir (created owner-only). */
export function nodeSecretStore(stateDir: string): SecretStore {
  secureStateDir(stateDir);
  return new FileSecretStore(join(stateDir, NODE_SECRETS_FILE));
}

/**
 * `wactorz node enroll`: stores the key an enrollment code carries for node `name` (replacing any
 * key it had). Throws a clear error for a code that is damaged or names another node.
 */
export async function installEnrollment(stateDir: string, name: string, code: string): Promise<{ kid: string }> {
  const parsed = parseEnrollmentCode(code);
  if (!parsed.ok) throw new Error(parsed.error);
  if (parsed.node !== name) throw new Error(`this enrollment code is for node ${parsed.node}, not ${name}`);
  await save(nodeSecretStore(stateDir), name, parsed.key);
  return { kid: parsed.key.kid };
}
