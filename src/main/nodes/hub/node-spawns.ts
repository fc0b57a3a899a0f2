/**
 * Placing code agents on nodes and taking them off, for the node registry. A spawn is refused here,
 * before anything is recorded, when it could never run: a bad node name or one meaning the hub, a
 * type nodes do not run, code that does not check, a node without a key (nothing could be signed
 * for it), or a name taken on the hub, on another node or by a move under way. An accepted spawn is
 * recorded first (spawn registry with `node`, placement) and then sent through the outbox, so a
 * node that is away gets it when it is back; the caller waits for the ack a while, then hears
 * "queued".
 */
import { randomUUID } from 'node:crypto';
import type { ActorSystem } from '../../core/actor-system.js';
import type { SpawnRegistry } from '../../persistence/stores/spawn-registry.js';
import { checkAgentCode, describeDiagnostics } from '../../agents/dynamic/code-check.js';
import { createInputFromSpec, storedConfigFrom } from '../../agents/dynamic/spec-mapping.js';
import { NODE_NAME_PATTERN, remoteAgentSpecSchema, type SpawnCommand } from '../../../shared/node-protocol.js';
import type { HubFleetKeys } from '../trust/hub-fleet-keys.js';
import type { CommandDelivery } from './command-delivery.js';
import type { CommandOutbox } from './command-outbox.js';
import type { NodeMigrations } from './node-migrations.js';
import type { NodePresence } from './node-presence.js';
import type { NodeStore } from './node-store.js';
import { NodeRegistryError, type NodeRegistryLogger, type RemoteSpawnInput, type RemoteSpawnReport } from './node-registry-types.js';

/** `node` values that mean the hub itself (as the DynamicAgent service reads them). */
const HUB_NAMES = ['local', 'localhost', 'hub', 'main'];

export interface NodeSpawnsDeps {
  store: NodeStore;
  outbox: CommandOutbox;
  registry: SpawnRegistry;
  keys: HubFleetKeys;
  presence: NodePresence;
  delivery: CommandDelivery;
  migrations: NodeMigrations;
  /** The hub's actors (a name running here is taken). */
  system: ActorSystem | undefined;
  publishDesired(node: string): void;
  online(node: string): boolean;
  waitFor<T>(check: () => T | undefined, ms: number): Promise<T | undefined>;
  /** How long a spawn waits for the node's ack by default. */
  spawnWaitMs: number;
  log: NodeRegistryLogger;
}

export class NodeSpawns {
  constructor(private readonly d: NodeSpawnsDeps) {}

  /** See NodeRegistry.spawnOnNode. */
  async spawn(input: RemoteSpawnInput, opts: { waitMs?: number; source?: string } = {}): Promise<RemoteSpawnReport> {
    const { store, registry, delivery } = this.d;
    const node = input.node?.trim();
    if (!node || !NODE_NAME_PATTERN.test(node)) throw new NodeRegistryError('bad_input', `invalid node name "${input.node}": letters, digits, - and _ (up to 64)`);
    if (HUB_NAMES.includes(node.toLowerCase())) throw new NodeRegistryError('bad_input', `"${node}" means this hub: spawn the agent without a node`);
    const type = (input.type ?? 'dynamic').toLowerCase();
    if (type !== 'dynamic' && type !== 'manual') {
      throw new NodeRegistryError('bad_input', `a ${type} agent cannot run on a node: nodes run code agents (dynamic, manual); llm and ha_actuator agents need the hub`);
    }
    const language = input.language === 'ts' ? 'typescript' : input.language === 'js' ? 'javascript' : (input.language ?? 'javascript');
    const parsed = remoteAgentSpecSchema.safeParse({ ...input, type, language, version: 1, config: input.config ?? {}, env: input.env ?? [] });
    if (!parsed.success) {
      throw new NodeRegistryError('bad_input', `invalid spawn spec: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'spec'}: ${i.message}`).join('; ')}`);
    }
    const spec = parsed.data;
    const check = checkAgentCode(spec.code, spec.language);
    if (!check.ok) {
      const errors = check.diagnostics.filter((d) => d.severity === 'error');
      throw new NodeRegistryError('bad_input', `the code has ${errors.length} error${errors.length === 1 ? '' : 's'}: ${describeDiagnostics(errors, 3).replace(/\n/g, '; ')}`, { diagnostics: check.diagnostics });
    }
    if (!this.d.keys.enrolled(node)) throw new NodeRegistryError('conflict', notEnrolled(node));
    const local = this.d.system?.get(spec.name);
    if (local) throw new NodeRegistryError('conflict', `an agent named "${spec.name}" runs on the hub; delete it first (or choose another name)`);
    const previous = store.placement(spec.name);
    if (previous && !input.replace) throw new NodeRegistryError('conflict', `an agent named "${spec.name}" already runs on node ${previous.node} (set "replace": true to replace it)`);
    if (!previous && registry.get(spec.name)) throw new NodeRegistryError('conflict', `an agent named "${spec.name}" is in the hub's spawn registry; delete it first`);
    if (previous && store.activeMigration(spec.name)) throw new NodeRegistryError('conflict', `${spec.name} is being migrated; try again when it has moved`);

    const entry = registry.upsert({
      name: spec.name,
      kind: spec.type,
      code: spec.code,
      language: spec.language,
      config: storedConfigFrom(createInputFromSpec(spec, { source: opts.source ?? 'rest' })),
      node,
      note: previous ? `replaced on ${node}` : `spawned on ${node}`,
    });
    spec.version = entry.version;
    const commandId = randomUUID();
    const issuedAt = Date.now() / 1000;
    store.place({ name: spec.name, node, spec, commandId, state: input.state ?? null, issuedAt });
    this.d.presence.expect(node);
    if (previous && previous.node !== node) {
      delivery.enqueue(previous.node, 'stop', { command_id: randomUUID(), name: spec.name });
      this.d.publishDesired(previous.node);
    }
    const cmd: SpawnCommand = { ...spec, command_id: commandId, issued_at: issuedAt, ...(input.state ? { state: input.state } : {}) };
    delivery.enqueue(node, 'spawn', cmd, true);
    this.d.publishDesired(node);
    this.d.log('info', `nodes: ${previous ? 'replacing' : 'spawning'} ${spec.name} on ${node} (version ${spec.version})`);

    const acked = await this.d.waitFor(() => {
      const c = this.d.outbox.get(commandId);
      return c?.ackedAt ? c : undefined;
    }, opts.waitMs ?? this.d.spawnWaitMs);
    const base = { name: spec.name, node, type: spec.type, version: spec.version, command_id: commandId };
    if (!acked) {
      const why = this.d.online(node) ? 'it has not confirmed yet' : `node ${node} is offline`;
      return { ok: true, ...base, status: 'queued', message: `${spec.name} is queued for node ${node} (${why}); it starts when the node acknowledges it.` };
    }
    if (acked.ok) return { ok: true, ...base, status: 'running', message: `Spawned ${spec.name} on node ${node} (version ${spec.version}).` };
    return { ok: false, ...base, status: 'refused', message: `Node ${node} refused ${spec.name}: ${acked.error ?? 'no reason given'}` };
  }

  /** See NodeRegistry.removeFromNode. */
  async remove(name: string, opts: { waitMs?: number } = {}): Promise<{ ok: boolean; name: string; node: string; message: string }> {
    const p = this.d.store.placement(name);
    if (!p) throw new NodeRegistryError('not_found', `no agent named "${name}" runs on a node`);
    // A move under way (or stranded on a target that never took it) ends with the agent.
    this.d.migrations.cancel(name, 'the agent was deleted');
    const commandId = randomUUID();
    this.d.store.unplace(name);
    this.d.registry.remove(name);
    // A node never heard from (a stranded move's target, before moves to those were refused) has nothing to stop.
    if (this.d.presence.lastSeen(p.node) === null) return { ok: true, name, node: p.node, message: `Removed ${name}: node ${p.node} never took it.` };
    this.d.delivery.enqueue(p.node, 'stop', { command_id: commandId, name });
    this.d.publishDesired(p.node);
    const acked = await this.d.waitFor(() => (this.d.outbox.get(commandId)?.ackedAt ? true : undefined), opts.waitMs ?? 10_000);
    return {
      ok: true,
      name,
      node: p.node,
      message: acked ? `Stopped ${name} on node ${p.node} and removed it.` : `${name} is removed from the hub; node ${p.node} stops it when it acknowledges (it is ${this.d.online(p.node) ? 'online' : 'offline'}).`,
    };
  }
}

/** Why nothing can be sent to `node`, and what to do about it. */
export function notEnrolled(node: string): string {
  return `node ${node} is not enrolled: nothing can be sent to it. Enroll it first (POST /nodes/${node}/enroll, then \`wactorz node enroll\` on the node; docs/fleet.md)`;
}
