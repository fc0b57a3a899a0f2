/** The `kv` table behind persist/recall for durable keys. Values are stored as JSON text. */
import type { Database, Statement } from 'better-sqlite3';

export class KvStore {
  private readonly getStmt: Statement<[string, string], { value: string }>;
  private readonly setStmt: Statement<[string, string, string, number]>;
  private readonly deleteStmt: Statement<[string, string]>;
  private readonly deleteActorStmt: Statement<[string]>;
  private readonly keysStmt: Statement<[string], { key: string }>;

  constructor(db: Database) {
    this.getStmt = db.prepare('SELECT value FROM kv WHERE actor = ? AND key = ?');
    this.setStmt = db.prepare(
      `INSERT INTO kv (actor, key, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (actor, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.deleteStmt = db.prepare('DELETE FROM kv WHERE actor = ? AND key = ?');
    this.deleteActorStmt = db.prepare('DELETE FROM kv WHERE actor = ?');
    this.keysStmt = db.prepare('SELECT key FROM kv WHERE actor = ? ORDER BY key');
  }

  /** The stored JSON text, or undefined. */
  get(actor: string, key: string): string | undefined {
    return this.getStmt.get(actor, key)?.value;
  }

  set(actor: string, key: string, json: string): void {
    this.setStmt.run(actor, key, json, Date.now() / 1000);
  }

  delete(actor: string, key: string): void {
    this.deleteStmt.run(actor, key);
  }

  /** Removes every key of `actor`; returns how many. */
  deleteActor(actor: string): number {
    return this.deleteActorStmt.run(actor).changes;
  }

  keys(actor: string): string[] {
    return this.keysStmt.all(actor).map((r) => r.key);
  }
}
