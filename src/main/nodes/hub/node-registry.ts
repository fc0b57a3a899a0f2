/**
 * The hub's side of the fleet: which nodes exist and whether they are online (their heartbeats),
 * which agent runs where (placements, also recorded in the spawn registry's `node`), and every way
 * to change that — spawn on a node, remove, migrate — as commands through the durable outbox
 * (command-outbox.ts, command-delivery.ts) plus each node's retained `desired_state`, re-published
 * when the hub starts and whenever the broker connection comes back. Tasks to remote agents go by
 * name (remote-tasks.ts); the actor system reaches them through `remoteActors`. Every message is
 * signed (../trust/): the hub signs what it sends with the node's key, and takes only what a node
 * signed — once, by its sequence number.
 *
 * This file assembles the parts and is the one API the hub, routes and chat use. Jobs kept apart:
 * what nodes send (node-inbox.ts), spawning and removing (node-spawns.ts), the fleet as read
 * (node-directory.ts), waiting for an answer (node-changes.ts), presence (node-presence.ts),
 * migration (node-migrations.ts), delivery (command-delivery.ts), enrollment and keys
 * (node-enrollment.ts).
 */
import type { NodeInfo } from '../../../shared/rest.js';
export type { NodeInfo } from '../../../shared/rest.js';
import type { Bus } from '../../core/bus.js';
import { actorIdFor } from '../../core/actor-id.js';
import type { RemoteActors } from '../../core/remote-actors.js';
import { SpawnRegistry } from '../../persistence/stores/spawn-registry.js';
import type { ExternalBus } from '../../broker/external-bus.js';
import { NODE_NAME_PATTERN, nodeTopics, type NodeAgents } from '../../../shared/node-protocol.js';
import { CommandOutbox } from './command-outbox.js';
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
import { NodeChanges } from './node-changes.js';
import { NodeDirectory } from './node-directory.js';
import { NodeInbox } from './node-inbox.js';
import { NodeSpawns, notEnrolled } from './node-spawns.js';

export * from './node-registry-types.js';
export type { MigrationReport } from './node-migrations.js';
export type { Enrollment, RotationReport } from './node-enrollment.js';

/** An actor id (uuid5 of the name, as the original derives it). */
const ACTOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  private readonly changes = new NodeChanges();
  private readonly directory: NodeDirectory;
  private readonly inbox: NodeInbox;
  private readonly spawns: NodeSpawns;
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
    const notify = (): void => this.changes.notify();
    const waitFor = <T>(check: () => T | undefined, ms: number): Promise<T | undefined> => this.changes.waitFor(check, ms);
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
      waitFor,
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
      notify,
      waitFor,
      commandRetryMs: this.commandRetryMs,
      log: this.log,
    });
    this.directory = new NodeDirectory({ store: this.store, outbox: this.outbox, presence: this.presence, keys: this.trust.keys, alert: (node) => this.watch.level(node) });
    this.watch = new NodeWatch({
      bus: this.bus,
      ...(opts.system ? { system: opts.system } : {}),
      onlineWindowMs: this.presence.onlineWindowMs,
      criticalMs: Math.max(opts.criticalMs ?? 120_000, this.presence.onlineWindowMs),
      checkMs: opts.checkMs ?? 5_000,
      nodes: () => this.directory.watched(),
      log: this.log,
    });
    this.inbox = new NodeInbox({
      bus: this.bus,
      trust: this.trust,
      store: this.store,
      outbox: this.outbox,
      presence: this.presence,
      delivery: this.delivery,
      migrations: this.migrations,
      watch: this.watch,
      publishDesired: (node) => this.publishDesired(node),
      notify,
      log: this.log,
    });
    this.spawns = new NodeSpawns({
      store: this.store,
      outbox: this.outbox,
      registry: this.registry,
      keys: this.trust.keys,
      presence: this.presence,
      delivery: this.delivery,
      migrations: this.migrations,
      system: opts.system,
      publishDesired: (node) => this.publishDesired(node),
      online: (node) => this.online(node),
      waitFor,
      spawnWaitMs: opts.spawnWaitMs ?? 15_000,
      log: this.log,
    });
  }

  /** Subscribes, re-publishes every node's desired state, resends what the outbox holds. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.trust.keys.load(this.log);
    this.offs.push(...this.inbox.subscribe());
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
    return this.directory.list();
  }

  getNode(name: string): NodeInfo | undefined {
    return this.directory.get(name);
  }

  placements(node?: string): PlacementInfo[] {
    return this.directory.placements(node);
  }

  // ── spawning, removing ──────────────────────────────────────────────────

  /**
   * Places a code agent on a node: checked here (syntax, exports, types), recorded (placement,
   * spawn registry with `node`), sent through the outbox, and added to the node's desired state.
   * Resolves once the node confirms it, or after `waitMs` with status `queued` (it starts when the
   * node is back). Throws NodeRegistryError for a bad spec or a name that is taken (node-spawns.ts).
   */
  spawnOnNode(input: RemoteSpawnInput, opts: { waitMs?: number; source?: string } = {}): Promise<RemoteSpawnReport> {
    return this.spawns.spawn(input, opts);
  }

  /** Stops a remote agent and forgets it (its node deletes its code and state). */
  removeFromNode(name: string, opts: { waitMs?: number } = {}): Promise<{ ok: boolean; name: string; node: string; message: string }> {
    return this.spawns.remove(name, opts);
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
  requestList(node: string, timeoutMs = 10_000): Promise<NodeAgents | undefined> {
    return this.inbox.requestList(node, timeoutMs);
  }

  // ── fleet upkeep ────────────────────────────────────────────────────────

  /** Publishes `node`'s desired state (retained): every agent placed there. */
  publishDesired(node: string): void {
    this.delivery.publishDesired(node);
  }

  /** A node has a new key: its desired state again (signed with it), its queued commands now. */
  private rekeyed(node: string): void {
    this.publishDesired(node);
    this.delivery.pump(node, true);
    this.changes.notify();
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
}
