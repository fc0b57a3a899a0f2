/**
 * The hub's side of the fleet: which nodes exist and whether they are online (their heartbeats),
 * which agent runs where (placements, also recorded in the spawn registry's `node`), and every way
 * to change that — spawn on a node, remove, migrate — as commands through the durable outbox
 * (command-outbox.ts, command-delivery.ts) plus each node's retained `desired_state`, re-published
 * when the hub starts and whenever the broker connection comes back. Tasks to remote agents go by
 * name (remote-tasks.ts); the actor system reaches them through `remoteActors`. Jobs kept apart:
 * presence (node-presence.ts), migration (node-migrations.ts), delivery (command-delivery.ts),
 * enrollment and keys (node-enrollment.ts). Every message is signed (../trust/): the hub signs what
 * it sends with the node's key, and takes only what a node signed — once, by its sequence number.
 */
import type { NodeInfo } from '../../../shared/rest.js';
export type { NodeInfo } from '../../../shared/rest.js';
import { randomUUID } from 'node:crypto';
import type { Bus } from '../../core/bus.js';
import { actorIdFor } from '../../core/actor-id.js';
import type { RemoteActors } from '../../core/remote-actors.js';
import { SpawnRegistry } from '../../persistence/stores/spawn-registry.js';
import type { z } from 'zod';
import { toError } from '../../core/errors.js';
import type { ExternalBus } from '../../broker/external-bus.js';
import { checkAgentCode, describeDiagnostics } from '../../agents/dynamic/code-check.js';
import { createInputFromSpec, storedConfigFrom } from '../../agents/dynamic/spec-mapping.js';
import {
  NODE_NAME_PATTERN,
  commandAckSchema,
  migrateResultSchema,
  nodeAgentsSchema,
  nodeHeartbeatSchema,
  nodeTopics,
  parseNodeTopic,
  remoteAgentSpecSchema,
  type CommandAck,
  type NodeAgents,
  type SpawnCommand,
} from '../../../shared/node-protocol.js';
import { CommandOutbox, type OutboxCommand } from './command-outbox.js';
import { NodeStore } from './node-store.js';
import { NodeMigrations, type MigrationReport } from './node-migrations.js';
import { NodeWatch } from './node-watch.js';
import { NodePresence } from './node-presence.js';
import { RemoteTasks } from '../remote-tasks.js';
import { CommandDelivery } from './command-delivery.js';
import type { NodeRegistryLogger, NodeRegistryOptions, PlacementInfo, RemoteSpawnInput, RemoteSpawnReport } from './node-registry-types.js';
import { NodeRegistryError } from './node-registry-types.js';
import { MemorySecretStore } from '../../secrets/memory-secret-store.js';
import { FleetCounters } from '../trust/fleet-counters.js';
import { HubFleetKeys } from '../trust/hub-fleet-keys.js';
import { HubFleetTrust } from '../trust/hub-fleet-trust.js';
import { NodeEnrollment } from './node-enrollment.js';

export * from './node-registry-types.js';
export type { MigrationReport } from './node-migrations.js';
export type { Enrollment, RotationReport } from './node-enrollment.js';

/** An actor id (uuid5 of the name, as the original derives it). */
const ACTOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `node` values that mean the hub itself (as the DynamicAgent service reads them). */
const HUB_NAMES = ['local', 'localhost', 'hub', 'main'];

export class NodeRegistry {
  readonly store: NodeStore;
  readonly outbox: CommandOutbox;
  readonly tasks: RemoteTasks;
  readonly watch: NodeWatch;
  readonly trust: HubFleetTrust;
  readonly enrollment: NodeEnrollment;
  private readonly migrations: NodeMigrations;
  private readonly registry: SpawnRegistry;
  private readonly bus: Bus;
  private readonly log: NodeRegistryLogger;
  private readonly commandRetryMs: number;
  private readonly presence: NodePresence;
  private readonly delivery: CommandDelivery;
  private readonly listeners = new Set<() => void>();
  private readonly listWaiters = new Map<string, (reply: NodeAgents) => void>();
  private offs: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(private readonly opts: NodeRegistryOptions) {
    this.bus = opts.bus;
    this.log = opts.log ?? (() => {});
    this.commandRetryMs = opts.commandRetryMs ?? 10_000;
    this.store = new NodeStore(opts.persistence.db);
    this.outbox = new CommandOutbox(opts.persistence.db);
    this.registry = new SpawnRegistry(opts.persistence.db);
    const counters = new FleetCounters(opts.persistence.db);
    this.trust = new HubFleetTrust({
      keys: new HubFleetKeys(opts.secrets ?? new MemorySecretStore()),
      counters,
      log: this.log,
      onPromoted: (node) => this.rekeyed(node),
    });
    this.tasks = new RemoteTasks({
      bus: this.bus,
      retryMs: opts.taskRetryMs ?? 5_000,
      log: this.log,
      // A reply counts when the node the agent is placed on (or moving between) signed it.
      openReply: (topic, raw) => this.trust.open(topic, raw),
      mayAnswer: (name, node) => this.answersFor(name).includes(node),
    });
    this.presence = new NodePresence(this.store, opts.onlineWindowMs ?? 45_000);
    this.delivery = new CommandDelivery({ bus: this.bus, outbox: this.outbox, store: this.store, trust: this.trust, online: (node) => this.presence.online(node), commandRetryMs: this.commandRetryMs });
    this.enrollment = new NodeEnrollment({
      keys: this.trust.keys,
      counters,
      outbox: this.outbox,
      enqueue: (node, kind, payload) => this.delivery.enqueue(node, kind, payload),
      expectNode: (node) => this.presence.expect(node),
      rekeyed: (node) => this.rekeyed(node),
      waitFor: (check, ms) => this.waitFor(check, ms),
      log: this.log,
    });
    this.migrations = new NodeMigrations({
      store: this.store,
      outbox: this.outbox,
      registry: this.registry,
      enqueue: (node, kind, payload, retain) => this.delivery.enqueue(node, kind, payload, retain),
      send: (node, kind, payload) => this.delivery.send(node, kind, payload),
      publishDesired: (node) => this.publishDesired(node),
      clearRetainedSpawn: (node) => this.bus.publish(nodeTopics.command(node, 'spawn'), '', { retain: true, qos: 1 }),
      online: (node) => this.online(node),
      expectNode: (node) => this.presence.expect(node),
      heardOf: (node) => this.presence.lastSeen(node) !== null,
      nodeNames: () => this.presence.names(),
      notify: () => this.notify(),
      waitFor: (check, ms) => this.waitFor(check, ms),
      commandRetryMs: this.commandRetryMs,
      log: this.log,
    });
    this.watch = new NodeWatch({
      bus: this.bus,
      ...(opts.system ? { system: opts.system } : {}),
      onlineWindowMs: this.presence.onlineWindowMs,
      criticalMs: Math.max(opts.criticalMs ?? 120_000, this.presence.onlineWindowMs),
      checkMs: opts.checkMs ?? 5_000,
      nodes: () => this.watchedNodes(),
      log: this.log,
    });
  }

  /** Subscribes, re-publishes every node's desired state, resends what the outbox holds. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.trust.keys.load(this.log);
    // Only what the node on the topic signed, each sequence number once per kind.
    const on = (pattern: string, handler: (node: string, body: Record<string, unknown>) => void): void => {
      this.offs.push(
        this.bus.subscribe(pattern, (topic, raw) => {
          const t = parseNodeTopic(topic);
          if (!t) return;
          try {
            const m = this.trust.open(topic, raw, { node: t.node, kind: t.kind });
            if (m.ok) handler(t.node, m.body);
          } catch (e) {
            this.log('error', `nodes: handling ${topic} failed: ${toError(e).message}`);
          }
        }),
      );
    };
    on(nodeTopics.allHeartbeats, (node, body) => this.onHeartbeat(node, body));
    on(nodeTopics.allAcks, (node, body) => this.onAck(node, body));
    on(nodeTopics.allMigrateResults, (node, body) => this.onMigrateResult(node, body));
    on(nodeTopics.allAgentLists, (node, body) => this.onAgentList(node, body));
    await this.tasks.start();
    const external = this.bus as Partial<ExternalBus>;
    if (typeof external.onStateChange === 'function') {
      // A broker that restarted without persistence lost our retained desired states and queued commands.
      this.offs.push(external.onStateChange((s) => s === 'connected' && this.delivery.resync()));
    }
    this.delivery.resync();
    this.watch.start();
    this.timer = setInterval(() => this.tick(), Math.min(this.opts.checkMs ?? 5_000, this.commandRetryMs));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.started = false;
    clearInterval(this.timer);
    this.watch.stop();
    this.tasks.stop();
    for (const off of this.offs.splice(0)) off();
  }

  // ── reading ─────────────────────────────────────────────────────────────

  isRemote(name: string): boolean {
    return this.store.placement(name) !== undefined;
  }

  /**
   * How the actor system reaches agents placed on nodes (registered by the nodes integration):
   * a name or id placed here resolves to its name, and its tasks go by name over MQTT.
   */
  readonly remoteActors: RemoteActors = {
    resolve: (nameOrId) => {
      if (this.store.placement(nameOrId)) return nameOrId;
      if (!ACTOR_ID.test(nameOrId)) return undefined;
      return this.store.placements().find((p) => actorIdFor(p.name) === nameOrId)?.name;
    },
    ask: (name, payload, timeoutMs, from) => this.tasks.ask(name, payload, timeoutMs, from),
    tell: (name, payload, from) => this.tasks.tell(name, payload, from),
  };

  nodeOf(name: string): string | undefined {
    return this.store.placement(name)?.node;
  }

  online(node: string): boolean {
    return this.presence.online(node);
  }

  listNodes(): NodeInfo[] {
    return this.nodeNames().sort().map((n) => this.nodeInfo(n));
  }

  getNode(name: string): NodeInfo | undefined {
    if (!this.presence.known(name) && this.store.placements(name).length === 0) return undefined;
    return this.nodeInfo(name);
  }

  placements(node?: string): PlacementInfo[] {
    return this.store.placements(node).map((p) => ({
      name: p.name,
      node: p.node,
      status: p.status,
      error: p.error,
      version: p.spec.version,
      language: p.spec.language,
      description: p.spec.description,
      state: this.presence.heartbeat(p.node)?.agent_states?.[p.name] ?? null,
    }));
  }

  // ── spawning, removing ──────────────────────────────────────────────────

  /**
   * Places a code agent on a node: checked here (syntax, exports, types), recorded (placement,
   * spawn registry with `node`), sent through the outbox, and added to the node's desired state.
   * Resolves once the node confirms it, or after `waitMs` with status `queued` (it starts when the
   * node is back). Throws NodeRegistryError for a bad spec or a name that is taken.
   */
  async spawnOnNode(input: RemoteSpawnInput, opts: { waitMs?: number; source?: string } = {}): Promise<RemoteSpawnReport> {
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
    if (!this.trust.keys.enrolled(node)) throw new NodeRegistryError('conflict', notEnrolled(node));
    const local = this.opts.system?.get(spec.name);
    if (local) throw new NodeRegistryError('conflict', `an agent named "${spec.name}" runs on the hub; delete it first (or choose another name)`);
    const previous = this.store.placement(spec.name);
    if (previous && !input.replace) throw new NodeRegistryError('conflict', `an agent named "${spec.name}" already runs on node ${previous.node} (set "replace": true to replace it)`);
    if (!previous && this.registry.get(spec.name)) throw new NodeRegistryError('conflict', `an agent named "${spec.name}" is in the hub's spawn registry; delete it first`);
    if (previous && this.store.activeMigration(spec.name)) throw new NodeRegistryError('conflict', `${spec.name} is being migrated; try again when it has moved`);

    const entry = this.registry.upsert({
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
    this.store.place({ name: spec.name, node, spec, commandId, state: input.state ?? null, issuedAt });
    this.presence.expect(node);
    if (previous && previous.node !== node) {
      this.delivery.enqueue(previous.node, 'stop', { command_id: randomUUID(), name: spec.name });
      this.publishDesired(previous.node);
    }
    const cmd: SpawnCommand = { ...spec, command_id: commandId, issued_at: issuedAt, ...(input.state ? { state: input.state } : {}) };
    this.delivery.enqueue(node, 'spawn', cmd, true);
    this.publishDesired(node);
    this.log('info', `nodes: ${previous ? 'replacing' : 'spawning'} ${spec.name} on ${node} (version ${spec.version})`);

    const acked = await this.waitFor(() => {
      const c = this.outbox.get(commandId);
      return c?.ackedAt ? c : undefined;
    }, opts.waitMs ?? this.opts.spawnWaitMs ?? 15_000);
    const base = { name: spec.name, node, type: spec.type, version: spec.version, command_id: commandId };
    if (!acked) {
      const why = this.online(node) ? 'it has not confirmed yet' : `node ${node} is offline`;
      return { ok: true, ...base, status: 'queued', message: `${spec.name} is queued for node ${node} (${why}); it starts when the node acknowledges it.` };
    }
    if (acked.ok) return { ok: true, ...base, status: 'running', message: `Spawned ${spec.name} on node ${node} (version ${spec.version}).` };
    return { ok: false, ...base, status: 'refused', message: `Node ${node} refused ${spec.name}: ${acked.error ?? 'no reason given'}` };
  }

  /** Stops a remote agent and forgets it (its node deletes its code and state). */
  async removeFromNode(name: string, opts: { waitMs?: number } = {}): Promise<{ ok: boolean; name: string; node: string; message: string }> {
    const p = this.store.placement(name);
    if (!p) throw new NodeRegistryError('not_found', `no agent named "${name}" runs on a node`);
    // A move under way (or stranded on a target that never took it) ends with the agent.
    this.migrations.cancel(name, 'the agent was deleted');
    const commandId = randomUUID();
    this.store.unplace(name);
    this.registry.remove(name);
    // A node never heard from (a stranded move's target, before moves to those were refused) has nothing to stop.
    if (this.presence.lastSeen(p.node) === null) return { ok: true, name, node: p.node, message: `Removed ${name}: node ${p.node} never took it.` };
    this.delivery.enqueue(p.node, 'stop', { command_id: commandId, name });
    this.publishDesired(p.node);
    const acked = await this.waitFor(() => (this.outbox.get(commandId)?.ackedAt ? true : undefined), opts.waitMs ?? 10_000);
    return {
      ok: true,
      name,
      node: p.node,
      message: acked ? `Stopped ${name} on node ${p.node} and removed it.` : `${name} is removed from the hub; node ${p.node} stops it when it acknowledges (it is ${this.online(p.node) ? 'online' : 'offline'}).`,
    };
  }

  // ── migration ───────────────────────────────────────────────────────────

  /** Moves a remote agent, with its code and state, to another node (node-migrations.ts). */
  async migrate(name: string, to: string, opts: { waitMs?: number } = {}): Promise<MigrationReport> {
    if (!NODE_NAME_PATTERN.test(to)) throw new NodeRegistryError('bad_input', `invalid node name "${to}"`);
    // Nothing can be signed for a node without a key: the agent would be exported and stranded.
    if (!this.trust.keys.enrolled(to)) throw new NodeRegistryError('conflict', notEnrolled(to));
    const p = this.store.placement(name);
    if (!p) {
      const local = this.opts.system?.get(name);
      throw new NodeRegistryError(
        'not_found',
        local ? `${name} runs on the hub; migration moves agents between nodes (spawn it on a node with "node": "${to}")` : `no agent named "${name}" runs on a node`,
      );
    }
    return this.migrations.migrate(name, p.node, to, opts.waitMs ?? this.opts.migrateWaitMs ?? 30_000);
  }

  // ── tasks ───────────────────────────────────────────────────────────────

  /** A task to a remote agent by name; resolves with its RESULT, rejects with AskError. */
  askRemote<T = unknown>(name: string, payload: unknown, timeoutMs = 60_000, from = 'hub'): Promise<T> {
    return this.tasks.ask<T>(name, payload, timeoutMs, from);
  }

  /** Asks a node for its agents (`list` → `agents`). */
  async requestList(node: string, timeoutMs = 10_000): Promise<NodeAgents | undefined> {
    if (!this.trust.keys.enrolled(node)) return undefined;
    const commandId = randomUUID();
    const reply = new Promise<NodeAgents | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.listWaiters.delete(commandId);
        resolve(undefined);
      }, timeoutMs);
      this.listWaiters.set(commandId, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    this.delivery.send(node, 'list', { command_id: commandId });
    return reply;
  }

  // ── bus handlers ────────────────────────────────────────────────────────

  private onHeartbeat(node: string, body: Record<string, unknown>): void {
    const r = parseBody(nodeHeartbeatSchema, body);
    if (!r.ok || r.value.node !== node) {
      this.log('warning', `nodes: ignored a malformed heartbeat from ${node}: ${r.ok ? 'node name differs from the topic' : r.error}`);
      return;
    }
    const cameOnline = this.presence.record(r.value);
    this.watch.seen(node);
    if (cameOnline) {
      this.log('info', `nodes: ${node} is online (${r.value.agents.length} agents)`);
      // Back (or new): it may have missed what was published while it was away.
      if (this.store.placements(node).length > 0 || this.outbox.pending(node).length > 0) this.publishDesired(node);
      this.delivery.pump(node, true);
    }
    this.notify();
  }

  private onAck(node: string, body: Record<string, unknown>): void {
    const r = parseBody(commandAckSchema, body);
    if (!r.ok) {
      this.log('warning', `nodes: ignored a malformed ack from ${node}: ${r.error}`);
      return;
    }
    const ack: CommandAck = r.value;
    const cmd = this.outbox.ack(ack.command_id, ack.ok, ack.error);
    if (cmd && cmd.node !== node) this.log('warning', `nodes: ${node} acknowledged a command for ${cmd.node}`);
    if (!cmd) {
      if (!ack.ok && ack.kind === 'desired_state') this.log('warning', `nodes: ${node} applied its desired state with errors: ${ack.error ?? ''}`);
      return;
    }
    if (cmd.kind === 'spawn') this.onSpawnAck(cmd, ack);
    this.migrations.onAck(cmd, ack);
    this.delivery.pump(node);
    this.notify();
  }

  private onSpawnAck(cmd: OutboxCommand, ack: CommandAck): void {
    // Its retained copy was for a node that was away; it has it now.
    if (cmd.retain) this.bus.publish(nodeTopics.command(cmd.node, 'spawn'), '', { retain: true, qos: 1 });
    const name = String(cmd.payload.name);
    const placed = this.store.confirm(name, cmd.commandId, ack.ok, ack.error);
    if (!ack.ok) this.log('warning', `nodes: ${cmd.node} refused ${name}: ${ack.error ?? ''}`);
    // The state it moved in with is on the node now: the retained desired state need not carry it.
    if (placed && ack.ok && cmd.payload.state) this.publishDesired(cmd.node);
  }

  private onMigrateResult(node: string, body: Record<string, unknown>): void {
    const r = parseBody(migrateResultSchema, body);
    if (!r.ok || r.value.node !== node) {
      this.log('warning', `nodes: ignored a malformed migrate_result from ${node}: ${r.ok ? 'node name differs from the topic' : r.error}`);
      return;
    }
    this.migrations.onResult(r.value);
  }

  private onAgentList(node: string, body: Record<string, unknown>): void {
    const r = parseBody(nodeAgentsSchema, body);
    if (!r.ok || !r.value.command_id || r.value.node !== node) return;
    this.listWaiters.get(r.value.command_id)?.(r.value);
    this.listWaiters.delete(r.value.command_id);
  }

  /** Publishes `node`'s desired state (retained): every agent placed there. */
  publishDesired(node: string): void {
    this.delivery.publishDesired(node);
  }

  /** A node has a new key: its desired state again (signed with it), its queued commands now. */
  private rekeyed(node: string): void {
    this.publishDesired(node);
    this.delivery.pump(node, true);
    this.notify();
  }

  /** Nodes whose signed reply may answer a task for `name`: where it is placed, and both ends of a move. */
  private answersFor(name: string): string[] {
    const p = this.store.placement(name);
    if (!p) return [];
    const m = this.store.activeMigration(name);
    return m ? [p.node, m.from, m.to] : [p.node];
  }

  private tick(): void {
    this.delivery.retry();
    this.migrations.tick();
  }

  // ── helpers ─────────────────────────────────────────────────────────────

  /** Every node the hub knows of: heard from, addressed, or holding a placement. */
  private nodeNames(): string[] {
    return [...new Set([...this.presence.names(), ...this.store.placements().map((p) => p.node)])];
  }

  private watchedNodes(): { name: string; lastSeenMs: number; agents: string[]; everSeen: boolean }[] {
    return this.nodeNames().map((name) => ({
      name,
      lastSeenMs: this.presence.lastSeenMs(name),
      agents: this.store.placements(name).map((p) => p.name),
      everSeen: this.presence.heartbeat(name) !== null,
    }));
  }

  private nodeInfo(name: string): NodeInfo {
    const hb = this.presence.heartbeat(name);
    return {
      name,
      online: this.online(name),
      last_seen: this.presence.lastSeen(name),
      agents: hb?.agents ?? [],
      agent_states: hb?.agent_states ?? {},
      load: hb?.load ?? null,
      memory_mb: hb?.memory_mb ?? null,
      cpus: hb?.cpus ?? null,
      hostname: hb?.hostname ?? null,
      placed: this.store.placements(name).map((p) => p.name),
      pending_commands: this.outbox.pending(name).length,
      alert: this.watch.level(name),
      enrolled: this.trust.keys.enrolled(name),
      key_id: this.trust.keys.current(name)?.kid ?? null,
    };
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves with `check()`'s first defined value, re-checked on every ack/heartbeat/result; undefined after `ms`. */
  private waitFor<T>(check: () => T | undefined, ms: number): Promise<T | undefined> {
    const now = check();
    if (now !== undefined || ms <= 0) return Promise.resolve(now);
    return new Promise<T | undefined>((resolve) => {
      const listener = (): void => {
        const v = check();
        if (v === undefined) return;
        this.listeners.delete(listener);
        clearTimeout(timer);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        resolve(check());
      }, ms);
      this.listeners.add(listener);
    });
  }
}

function notEnrolled(node: string): string {
  return `node ${node} is not enrolled: nothing can be sent to it. Enroll it first (POST /nodes/${node}/enroll, then \`wactorz node enroll\` on the node; docs/fleet.md)`;
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): { ok: true; value: T } | { ok: false; error: string } {
  const r = schema.safeParse(body);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ') };
}
