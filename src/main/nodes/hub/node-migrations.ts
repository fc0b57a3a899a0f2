/**
 * The migration state machine of the hub's node registry (hub-orchestrated; every step idempotent,
 * every state in SQLite so a hub restart resumes it):
 *
 *   exporting  `migrate {name, to}` went to the source node (outbox); it stops the agent, flushes
 *              its state, publishes `migrate_result` with spec and state, and forgets it. A result
 *              the hub missed is asked for again (the node repeats the same export);
 *   moving     on the result the placement moves: `spawn {…spec, state}` to the target (outbox, id
 *              `<migrate id>:spawn`), both nodes' desired states re-published;
 *   done       the target acknowledged the spawn; tasks by name now reach it there;
 *   failed     the source refused or could not export, or the target refused (with the reason).
 *
 * Once exported the agent lives only in the hub's placement (spec + state) until the target starts
 * it, so the target must be a node that exists: one this hub has never heard from is refused up
 * front. A move still `moving` (its target has not taken it: gone, never back) is not a dead end:
 * migrating it elsewhere redirects it (to any node this hub has heard from, its source included),
 * and deleting the agent cancels the move.
 */
import { randomUUID } from 'node:crypto';
import type { SpawnRegistry } from '../../persistence/stores/spawn-registry.js';
import type { CommandAck, MigrateResult, SpawnCommand } from '../../../shared/node-protocol.js';
import type { CommandOutbox, OutboxCommand } from './command-outbox.js';
import type { Migration, NodeStore } from './node-store.js';
import { NodeRegistryError } from './node-registry-types.js';

export interface MigrationReport {
  ok: boolean;
  name: string;
  from: string;
  to: string;
  /** done, or still exporting/moving (it completes when the nodes answer), or failed. */
  status: Migration['status'];
  message: string;
  command_id: string;
}

/** What the migrations need of the node registry they belong to. */
export interface MigrationDeps {
  store: NodeStore;
  outbox: CommandOutbox;
  registry: SpawnRegistry;
  /** Queues a command for `node` in the outbox (and sends it when it is the node's next). */
  enqueue(node: string, kind: string, payload: Record<string, unknown> & { command_id: string }, retain?: boolean): void;
  /** Signs and publishes a command outside the outbox (a `migrate` asked for again). */
  send(node: string, kind: 'migrate', payload: Record<string, unknown>): void;
  publishDesired(node: string): void;
  /** Clears the retained `spawn` a node that was away would still get when it comes back. */
  clearRetainedSpawn(node: string): void;
  online(node: string): boolean;
  /** A node the hub addresses before it has heard from it. */
  expectNode(node: string): void;
  /** Whether `node` was ever heard from (a heartbeat, this run or before); the names of those that were. */
  heardOf(node: string): boolean;
  nodeNames(): string[];
  /** Something changed (wakes whoever waits in `waitFor`). */
  notify(): void;
  waitFor<T>(check: () => T | undefined, ms: number): Promise<T | undefined>;
  commandRetryMs: number;
  log(level: 'debug' | 'info' | 'warning' | 'error', message: string): void;
}

export class NodeMigrations {
  constructor(private readonly d: MigrationDeps) {}

  /** Starts (or joins) the move of a placed agent to `to`; waits up to `waitMs` for it to finish. */
  async migrate(name: string, from: string, to: string, waitMs: number): Promise<MigrationReport> {
    const { store } = this.d;
    let m = store.activeMigration(name);
    if (m && m.to !== to) {
      // Exporting: the source still hands it over. Moving: the target has not taken it — redirect.
      if (m.status !== 'moving') throw new NodeRegistryError('conflict', `${name} is already moving to node ${m.to}`);
      this.requireNode(to);
      m = this.redirect(m, to);
    } else if (!m) {
      if (from === to) throw new NodeRegistryError('conflict', `${name} already runs on node ${to}`);
      this.requireNode(to);
      const commandId = randomUUID();
      m = store.startMigration(commandId, name, from, to);
      this.d.expectNode(to);
      this.d.enqueue(from, 'migrate', { command_id: commandId, name, to });
      this.d.log('info', `nodes: migrating ${name} from ${from} to ${to}`);
    }
    const id = m.commandId;
    const done = await this.d.waitFor(() => {
      const cur = store.migration(id);
      return cur && (cur.status === 'done' || cur.status === 'failed') ? cur : undefined;
    }, waitMs);
    return this.report(done ?? store.migration(id)!);
  }

  /** Ends a move under way because the agent is being deleted: nothing of it is left waiting. */
  cancel(name: string, why: string): void {
    const m = this.d.store.activeMigration(name);
    if (!m) return;
    this.abandonCommands(m, why);
    this.fail(m.commandId, why);
  }

  /** A node this hub has never heard from cannot take an agent that exists nowhere else meanwhile. */
  private requireNode(to: string): void {
    if (this.d.heardOf(to)) return;
    const known = this.d.nodeNames().filter((n) => this.d.heardOf(n)).sort();
    throw new NodeRegistryError('not_found', `there is no node "${to}": no node of that name has ever connected to this hub (${known.length ? `nodes: ${known.join(', ')}` : 'no node has'})`);
  }

  /** A move whose target never took the agent goes to `to` instead, with the spec and state it left with. */
  private redirect(m: Migration, to: string): Migration {
    const { store } = this.d;
    const placed = store.placement(m.name);
    if (!placed) throw new NodeRegistryError('not_found', `no agent named "${m.name}" runs on a node`);
    this.abandonCommands(m, `redirected to node ${to}`);
    this.fail(m.commandId, `redirected to node ${to}`);
    const commandId = randomUUID();
    const spawnId = `${commandId}:spawn`;
    const issuedAt = Date.now() / 1000;
    store.startMigration(commandId, m.name, m.from, to);
    store.place({ name: m.name, node: to, spec: placed.spec, commandId: spawnId, state: placed.state, issuedAt });
    const entry = this.d.registry.get(m.name);
    if (entry) this.d.registry.upsert({ name: m.name, kind: entry.kind, node: to });
    const next = store.updateMigration(commandId, 'moving', { spawnCommandId: spawnId })!;
    this.d.enqueue(to, 'spawn', { ...placed.spec, command_id: spawnId, issued_at: issuedAt, state: placed.state } satisfies SpawnCommand, true);
    this.d.publishDesired(m.to);
    this.d.publishDesired(to);
    this.d.log('info', `nodes: ${m.name} never reached ${m.to}; moving it to ${to} instead`);
    return next;
  }

  /** Commands of `m` still waiting in the outbox (its export, its spawn) will not be sent. */
  private abandonCommands(m: Migration, why: string): void {
    for (const id of [m.commandId, m.spawnCommandId]) {
      const cmd = id ? this.d.outbox.ack(id, false, `cancelled: ${why}`) : undefined;
      // A retained spawn would still reach the old target when it comes back.
      if (cmd?.retain && cmd.kind === 'spawn') this.d.clearRetainedSpawn(cmd.node);
    }
  }

  /** The source node's `migrate_result`: the agent moves to the target (or the migration fails). */
  onResult(result: MigrateResult): void {
    const { store } = this.d;
    const m = store.migration(result.command_id);
    if (!m || m.status !== 'exporting') return; // not ours, or handled already (a repeated result)
    if (!result.ok) return this.fail(m.commandId, result.error ?? 'the source node could not export it');
    const spec = store.placement(m.name)?.spec ?? result.spec;
    if (!spec) return this.fail(m.commandId, 'no spec for the agent (neither the hub nor the source node has it)');
    const spawnId = `${m.commandId}:spawn`;
    const issuedAt = Date.now() / 1000;
    const state = result.state ?? null;
    store.place({ name: m.name, node: m.to, spec, commandId: spawnId, state, issuedAt });
    const entry = this.d.registry.get(m.name);
    if (entry) this.d.registry.upsert({ name: m.name, kind: entry.kind, node: m.to });
    store.updateMigration(m.commandId, 'moving', { spawnCommandId: spawnId });
    const cmd: SpawnCommand = { ...spec, command_id: spawnId, issued_at: issuedAt, state };
    this.d.enqueue(m.to, 'spawn', cmd, true);
    this.d.publishDesired(m.from);
    this.d.publishDesired(m.to);
    this.d.log('info', `nodes: ${m.name} left ${m.from}; starting it on ${m.to}`);
    this.d.notify();
  }

  /** An acknowledged command: a refused `migrate` fails it; the target's spawn ack finishes it. */
  onAck(cmd: OutboxCommand, ack: CommandAck): void {
    if (cmd.kind === 'migrate' && !ack.ok) this.fail(cmd.commandId, ack.error ?? 'the source node refused');
    if (cmd.kind !== 'spawn') return;
    const m = this.d.store.migrationBySpawn(cmd.commandId);
    if (!m || m.status !== 'moving') return;
    this.d.store.updateMigration(m.commandId, ack.ok ? 'done' : 'failed', ack.ok ? {} : { error: `node ${cmd.node} refused it: ${ack.error ?? ''}` });
    this.d.log(ack.ok ? 'info' : 'warning', `nodes: migration of ${m.name} from ${m.from} to ${m.to} ${ack.ok ? 'done' : 'failed'}`);
  }

  /** Periodic: a `migrate` acknowledged long ago without a result (the hub was away when it came) is sent again. */
  tick(): void {
    for (const m of this.d.store.activeMigrations()) {
      if (m.status !== 'exporting') continue;
      const cmd = this.d.outbox.get(m.commandId);
      if (cmd?.ackedAt && Date.now() / 1000 - cmd.ackedAt > this.d.commandRetryMs / 1000 && this.d.online(m.from)) {
        this.d.send(m.from, 'migrate', cmd.payload);
      }
    }
  }

  private fail(commandId: string, error: string): void {
    const m = this.d.store.migration(commandId);
    if (!m || m.status === 'done' || m.status === 'failed') return;
    this.d.store.updateMigration(commandId, 'failed', { error });
    this.d.log('warning', `nodes: migration of ${m.name} from ${m.from} to ${m.to} failed: ${error}`);
    this.d.notify();
  }

  private report(m: Migration): MigrationReport {
    const base = { name: m.name, from: m.from, to: m.to, status: m.status, command_id: m.commandId };
    const online = (node: string): string => (this.d.online(node) ? 'online' : 'offline');
    switch (m.status) {
      case 'done':
        return { ok: true, ...base, message: `Migrated ${m.name} from node ${m.from} to node ${m.to}, with its state.` };
      case 'failed':
        return { ok: false, ...base, message: `Migrating ${m.name} from ${m.from} to ${m.to} failed: ${m.error ?? 'unknown reason'}` };
      case 'exporting':
        return { ok: true, ...base, message: `Migration of ${m.name} is under way: waiting for node ${m.from} (${online(m.from)}) to hand it over.` };
      case 'moving':
        return { ok: true, ...base, message: `Migration of ${m.name} is under way: waiting for node ${m.to} (${online(m.to)}) to start it.` };
    }
  }
}
