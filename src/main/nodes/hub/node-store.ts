/**
 * What the hub keeps about its fleet in its SQLite database (tables of its own, `IF NOT EXISTS`):
 * - `hub_node_placements`: each remote agent — its node, its spec as sent, the spawn command that
 *   put it there, and the state it moved in with until the node has confirmed it (a migration);
 * - `hub_nodes`: every node seen, with its last heartbeat (so GET /nodes lists an absent node too);
 * - `hub_node_migrations`: migrations under way and done;
 * - `hub_node_meta`: the desired-state revision counter.
 * The spawn registry (spawn_registry.node) records the node as well; these tables hold what only
 * the fleet needs.
 */
import type { Database } from 'better-sqlite3';
import { remoteAgentSpecSchema, type NodeHeartbeat, type RemoteAgentSpec } from '../../../shared/node-protocol.js';

export interface Placement {
  name: string;
  node: string;
  spec: RemoteAgentSpec;
  /** The spawn command that put the agent on its node (also its desired-state entry's id). */
  commandId: string;
  /** The state it moved in with (a migration), until the node has acknowledged the spawn. */
  state: Record<string, unknown> | null;
  issuedAt: number;
  /** running (acknowledged), pending (not yet), refused (the node refused it: `error`). */
  status: 'pending' | 'running' | 'refused';
  error: string | null;
  updatedAt: number;
}

export type MigrationStatus = 'exporting' | 'moving' | 'done' | 'failed';

export interface Migration {
  commandId: string;
  name: string;
  from: string;
  to: string;
  status: MigrationStatus;
  error: string | null;
  spawnCommandId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface KnownNode {
  name: string;
  firstSeen: number;
  lastSeen: number;
  heartbeat: NodeHeartbeat | null;
}

interface PlacementRow {
  name: string;
  node: string;
  spec: string;
  command_id: string;
  state: string | null;
  issued_at: number;
  status: string;
  error: string | null;
  updated_at: number;
}

interface MigrationRow {
  command_id: string;
  name: string;
  from_node: string;
  to_node: string;
  status: string;
  error: string | null;
  spawn_command_id: string | null;
  created_at: number;
  updated_at: number;
}

const now = (): number => Date.now() / 1000;

export class NodeStore {
  constructor(private readonly db: Database) {
  }

  // ── placements ──────────────────────────────────────────────────────────

  placement(name: string): Placement | undefined {
    const row = this.db.prepare('SELECT * FROM hub_node_placements WHERE name = ?').get(name) as PlacementRow | undefined;
    return row && toPlacement(row);
  }

  placements(node?: string): Placement[] {
    const rows = (
      node === undefined
        ? this.db.prepare('SELECT * FROM hub_node_placements ORDER BY name').all()
        : this.db.prepare('SELECT * FROM hub_node_placements WHERE node = ? ORDER BY name').all(node)
    ) as PlacementRow[];
    return rows.map(toPlacement);
  }

  place(p: { name: string; node: string; spec: RemoteAgentSpec; commandId: string; state: Record<string, unknown> | null; issuedAt: number }): Placement {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO hub_node_placements (name, node, spec, command_id, state, issued_at, status, error, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', NULL, ?)`,
      )
      .run(p.name, p.node, JSON.stringify(p.spec), p.commandId, p.state === null ? null : JSON.stringify(p.state), p.issuedAt, now());
    return this.placement(p.name)!;
  }

  /** The node acknowledged the spawn `commandId` (when it is still the placement's). */
  confirm(name: string, commandId: string, ok: boolean, error?: string): Placement | undefined {
    const r = this.db
      .prepare(`UPDATE hub_node_placements SET status = ?, error = ?, state = CASE WHEN ? THEN NULL ELSE state END, updated_at = ? WHERE name = ? AND command_id = ?`)
      .run(ok ? 'running' : 'refused', error ?? null, ok ? 1 : 0, now(), name, commandId);
    return r.changes > 0 ? this.placement(name) : undefined;
  }

  unplace(name: string): boolean {
    return this.db.prepare('DELETE FROM hub_node_placements WHERE name = ?').run(name).changes > 0;
  }

  // ── nodes ───────────────────────────────────────────────────────────────

  knownNodes(): KnownNode[] {
    const rows = this.db.prepare('SELECT * FROM hub_nodes ORDER BY name').all() as { name: string; first_seen: number; last_seen: number; heartbeat: string | null }[];
    return rows.map((r) => ({ name: r.name, firstSeen: r.first_seen, lastSeen: r.last_seen, heartbeat: r.heartbeat ? (JSON.parse(r.heartbeat) as NodeHeartbeat) : null }));
  }

  saveHeartbeat(hb: NodeHeartbeat, seenAt: number): void {
    this.db
      .prepare(
        `INSERT INTO hub_nodes (name, first_seen, last_seen, heartbeat) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET last_seen = excluded.last_seen, heartbeat = excluded.heartbeat`,
      )
      .run(hb.node, seenAt, seenAt, JSON.stringify(hb));
  }

  /** Remembers a node the hub addressed before it was ever heard from. */
  addNode(name: string): void {
    this.db.prepare('INSERT OR IGNORE INTO hub_nodes (name, first_seen, last_seen, heartbeat) VALUES (?, ?, 0, NULL)').run(name, now());
  }

  forgetNode(name: string): boolean {
    return this.db.prepare('DELETE FROM hub_nodes WHERE name = ?').run(name).changes > 0;
  }

  // ── migrations ──────────────────────────────────────────────────────────

  migration(commandId: string): Migration | undefined {
    const row = this.db.prepare('SELECT * FROM hub_node_migrations WHERE command_id = ?').get(commandId) as MigrationRow | undefined;
    return row && toMigration(row);
  }

  /** The migration of `name` that has not finished, if any. */
  activeMigration(name: string): Migration | undefined {
    const row = this.db
      .prepare("SELECT * FROM hub_node_migrations WHERE name = ? AND status IN ('exporting', 'moving') ORDER BY created_at DESC LIMIT 1")
      .get(name) as MigrationRow | undefined;
    return row && toMigration(row);
  }

  activeMigrations(): Migration[] {
    return (this.db.prepare("SELECT * FROM hub_node_migrations WHERE status IN ('exporting', 'moving') ORDER BY created_at").all() as MigrationRow[]).map(toMigration);
  }

  migrationBySpawn(spawnCommandId: string): Migration | undefined {
    const row = this.db.prepare('SELECT * FROM hub_node_migrations WHERE spawn_command_id = ?').get(spawnCommandId) as MigrationRow | undefined;
    return row && toMigration(row);
  }

  startMigration(commandId: string, name: string, from: string, to: string): Migration {
    const t = now();
    this.db
      .prepare("INSERT INTO hub_node_migrations (command_id, name, from_node, to_node, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'exporting', ?, ?)")
      .run(commandId, name, from, to, t, t);
    return this.migration(commandId)!;
  }

  updateMigration(commandId: string, status: MigrationStatus, extra: { error?: string; spawnCommandId?: string } = {}): Migration | undefined {
    this.db
      .prepare('UPDATE hub_node_migrations SET status = ?, error = COALESCE(?, error), spawn_command_id = COALESCE(?, spawn_command_id), updated_at = ? WHERE command_id = ?')
      .run(status, extra.error ?? null, extra.spawnCommandId ?? null, now(), commandId);
    return this.migration(commandId);
  }

  // ── meta ────────────────────────────────────────────────────────────────

  /** The next desired-state revision (persisted, so it keeps growing across hub restarts). */
  nextRevision(): number {
    return this.db.transaction(() => {
      const row = this.db.prepare("SELECT value FROM hub_node_meta WHERE key = 'desired_revision'").get() as { value: string } | undefined;
      const next = (row ? Number(row.value) : 0) + 1;
      this.db.prepare("INSERT OR REPLACE INTO hub_node_meta (key, value) VALUES ('desired_revision', ?)").run(String(next));
      return next;
    })();
  }
}

function toPlacement(r: PlacementRow): Placement {
  return {
    name: r.name,
    node: r.node,
    spec: remoteAgentSpecSchema.parse(JSON.parse(r.spec)),
    commandId: r.command_id,
    state: r.state === null ? null : (JSON.parse(r.state) as Record<string, unknown>),
    issuedAt: r.issued_at,
    status: r.status === 'running' || r.status === 'refused' ? r.status : 'pending',
    error: r.error,
    updatedAt: r.updated_at,
  };
}

function toMigration(r: MigrationRow): Migration {
  return {
    commandId: r.command_id,
    name: r.name,
    from: r.from_node,
    to: r.to_node,
    status: r.status as MigrationStatus,
    error: r.error,
    spawnCommandId: r.spawn_command_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
