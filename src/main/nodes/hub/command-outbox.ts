/**
 * The hub's durable outbox of commands to nodes (SQLite, table `hub_node_outbox`): a command is
 * written before it is sent, and stays until the node acknowledges its id on `nodes/{node}/ack`.
 * A hub restart, a broker restart or a node that is away therefore loses no command; the node's
 * own id table makes a resent command have no second effect.
 *
 * Per node the commands go one at a time, in the order they were issued (the next is sent when
 * the previous is acknowledged): a spawn and a later stop of the same agent never swap places.
 */
import type { Database } from 'better-sqlite3';

export interface OutboxCommand {
  seq: number;
  commandId: string;
  node: string;
  kind: string;
  payload: Record<string, unknown>;
  retain: boolean;
  createdAt: number;
  attempts: number;
  lastSentAt: number | null;
  ackedAt: number | null;
  ok: boolean | null;
  error: string | null;
}

interface Row {
  seq: number;
  command_id: string;
  node: string;
  kind: string;
  payload: string;
  retain: number;
  created_at: number;
  attempts: number;
  last_sent_at: number | null;
  acked_at: number | null;
  ok: number | null;
  error: string | null;
}

/** Acknowledged commands are kept this long (for GET /nodes and debugging), then pruned. */
const KEEP_ACKED_SECONDS = 7 * 24 * 3600;

function toCommand(r: Row): OutboxCommand {
  return {
    seq: r.seq,
    commandId: r.command_id,
    node: r.node,
    kind: r.kind,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    retain: r.retain === 1,
    createdAt: r.created_at,
    attempts: r.attempts,
    lastSentAt: r.last_sent_at,
    ackedAt: r.acked_at,
    ok: r.ok === null ? null : r.ok === 1,
    error: r.error,
  };
}

export class CommandOutbox {
  constructor(private readonly db: Database) {
    this.prune();
  }

  /** Writes a command; its payload must carry `command_id`. */
  add(node: string, kind: string, payload: Record<string, unknown> & { command_id: string }, retain = false): OutboxCommand {
    const now = Date.now() / 1000;
    this.db
      .prepare('INSERT INTO hub_node_outbox (command_id, node, kind, payload, retain, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(payload.command_id, node, kind, JSON.stringify(payload), retain ? 1 : 0, now);
    return this.get(payload.command_id)!;
  }

  get(commandId: string): OutboxCommand | undefined {
    const row = this.db.prepare('SELECT * FROM hub_node_outbox WHERE command_id = ?').get(commandId) as Row | undefined;
    return row && toCommand(row);
  }

  /** The oldest unacknowledged command for `node`: the only one that may be on the wire. */
  head(node: string): OutboxCommand | undefined {
    const row = this.db.prepare('SELECT * FROM hub_node_outbox WHERE node = ? AND acked_at IS NULL ORDER BY seq LIMIT 1').get(node) as Row | undefined;
    return row && toCommand(row);
  }

  /** Unacknowledged commands, oldest first (all nodes, or one). */
  pending(node?: string): OutboxCommand[] {
    const rows = (
      node === undefined
        ? this.db.prepare('SELECT * FROM hub_node_outbox WHERE acked_at IS NULL ORDER BY seq').all()
        : this.db.prepare('SELECT * FROM hub_node_outbox WHERE node = ? AND acked_at IS NULL ORDER BY seq').all(node)
    ) as Row[];
    return rows.map(toCommand);
  }

  /** Nodes with commands waiting. */
  nodesWithPending(): string[] {
    return (this.db.prepare('SELECT DISTINCT node FROM hub_node_outbox WHERE acked_at IS NULL').all() as { node: string }[]).map((r) => r.node);
  }

  markSent(commandId: string): void {
    this.db.prepare('UPDATE hub_node_outbox SET attempts = attempts + 1, last_sent_at = ? WHERE command_id = ?').run(Date.now() / 1000, commandId);
  }

  /** Records the node's acknowledgement; the command, or undefined when it is unknown or was acknowledged already. */
  ack(commandId: string, ok: boolean, error?: string): OutboxCommand | undefined {
    const r = this.db
      .prepare('UPDATE hub_node_outbox SET acked_at = ?, ok = ?, error = ? WHERE command_id = ? AND acked_at IS NULL')
      .run(Date.now() / 1000, ok ? 1 : 0, error ?? null, commandId);
    return r.changes > 0 ? this.get(commandId) : undefined;
  }

  prune(): void {
    this.db.prepare('DELETE FROM hub_node_outbox WHERE acked_at IS NOT NULL AND acked_at < ?').run(Date.now() / 1000 - KEEP_ACKED_SECONDS);
  }
}
