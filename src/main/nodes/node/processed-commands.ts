/**
 * The command ids a node has applied, in its own SQLite database, so a command delivered twice
 * (QoS 1 redelivery, the hub's retry, a retained message seen again after a restart) has no
 * second effect. The result is kept too: a repeated `migrate` answers with the same export.
 *
 * The table is the node's own (created here, `IF NOT EXISTS`): it is not part of the hub schema.
 */
import type { Database } from 'better-sqlite3';

export interface ProcessedCommand {
  commandId: string;
  kind: string;
  ok: boolean;
  result: unknown;
  processedAt: number;
}

/** Ids older than this are forgotten (a redelivery is minutes late, not weeks). */
const KEEP_SECONDS = 30 * 24 * 3600;
const KEEP_ROWS = 50_000;

interface Row {
  command_id: string;
  kind: string;
  ok: number;
  result: string | null;
  processed_at: number;
}

export class ProcessedCommands {
  private writes = 0;

  constructor(private readonly db: Database) {
  }

  get(commandId: string): ProcessedCommand | undefined {
    const row = this.db.prepare('SELECT * FROM node_processed_commands WHERE command_id = ?').get(commandId) as Row | undefined;
    if (!row) return undefined;
    return { commandId: row.command_id, kind: row.kind, ok: row.ok === 1, result: row.result === null ? undefined : JSON.parse(row.result), processedAt: row.processed_at };
  }

  has(commandId: string): boolean {
    return this.db.prepare('SELECT 1 FROM node_processed_commands WHERE command_id = ?').get(commandId) !== undefined;
  }

  record(commandId: string, kind: string, ok: boolean, result?: unknown): void {
    this.db
      .prepare('INSERT OR REPLACE INTO node_processed_commands (command_id, kind, ok, result, processed_at) VALUES (?, ?, ?, ?, ?)')
      .run(commandId, kind, ok ? 1 : 0, result === undefined ? null : JSON.stringify(result), Date.now() / 1000);
    if (++this.writes % 500 === 0) this.prune();
  }

  /** A small durable value of the node's (the last desired-state revision applied…). */
  meta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM node_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO node_meta (key, value) VALUES (?, ?)').run(key, value);
  }

  prune(): void {
    this.db.prepare('DELETE FROM node_processed_commands WHERE processed_at < ?').run(Date.now() / 1000 - KEEP_SECONDS);
    this.db
      .prepare('DELETE FROM node_processed_commands WHERE command_id NOT IN (SELECT command_id FROM node_processed_commands ORDER BY processed_at DESC LIMIT ?)')
      .run(KEEP_ROWS);
  }
}
