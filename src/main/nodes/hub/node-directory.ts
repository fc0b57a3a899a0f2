/**
 * The fleet as REST, chat and the watch read it: every node the hub knows of (heard from,
 * addressed, or holding a placement — a node that never came up is still listed, so its stranded
 * agents can be seen), each with its last heartbeat, placements, pending commands, alert level and
 * key. Read-only: assembled on each call from the parts that own the facts, so it is never stale.
 */
import type { NodeInfo } from '../../../shared/rest.js';
import type { HubFleetKeys } from '../trust/hub-fleet-keys.js';
import type { CommandOutbox } from './command-outbox.js';
import type { NodePresence } from './node-presence.js';
import type { PlacementInfo } from './node-registry-types.js';
import type { NodeStore } from './node-store.js';
import type { NodeWatch } from './node-watch.js';

export interface NodeDirectoryDeps {
  store: NodeStore;
  outbox: CommandOutbox;
  presence: NodePresence;
  keys: HubFleetKeys;
  /** The watch's alert level for a node (the watch itself reads `watched()`, so it is passed late). */
  alert(node: string): ReturnType<NodeWatch['level']>;
}

export class NodeDirectory {
  constructor(private readonly d: NodeDirectoryDeps) {}

  list(): NodeInfo[] {
    return this.names().sort().map((n) => this.info(n));
  }

  get(name: string): NodeInfo | undefined {
    if (!this.d.presence.known(name) && this.d.store.placements(name).length === 0) return undefined;
    return this.info(name);
  }

  placements(node?: string): PlacementInfo[] {
    return this.d.store.placements(node).map((p) => ({
      name: p.name,
      node: p.node,
      status: p.status,
      error: p.error,
      version: p.spec.version,
      language: p.spec.language,
      description: p.spec.description,
      state: this.d.presence.heartbeat(p.node)?.agent_states?.[p.name] ?? null,
    }));
  }

  /** What the watch checks for silence: every known node, when last heard, what runs there. */
  watched(): { name: string; lastSeenMs: number; agents: string[]; everSeen: boolean }[] {
    return this.names().map((name) => ({
      name,
      lastSeenMs: this.d.presence.lastSeenMs(name),
      agents: this.d.store.placements(name).map((p) => p.name),
      everSeen: this.d.presence.heartbeat(name) !== null,
    }));
  }

  /** Every node the hub knows of: heard from, addressed, or holding a placement. */
  private names(): string[] {
    return [...new Set([...this.d.presence.names(), ...this.d.store.placements().map((p) => p.node)])];
  }

  private info(name: string): NodeInfo {
    const hb = this.d.presence.heartbeat(name);
    return {
      name,
      online: this.d.presence.online(name),
      last_seen: this.d.presence.lastSeen(name),
      agents: hb?.agents ?? [],
      agent_states: hb?.agent_states ?? {},
      load: hb?.load ?? null,
      memory_mb: hb?.memory_mb ?? null,
      cpus: hb?.cpus ?? null,
      hostname: hb?.hostname ?? null,
      placed: this.d.store.placements(name).map((p) => p.name),
      pending_commands: this.d.outbox.pending(name).length,
      alert: this.d.alert(name),
      enrolled: this.d.keys.enrolled(name),
      key_id: this.d.keys.current(name)?.kid ?? null,
    };
  }
}
