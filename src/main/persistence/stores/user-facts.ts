/** Durable facts about the user (user_facts), e.g. "name" → "Ada", remembered across restarts. */
import type { Database } from 'better-sqlite3';
import { nowSeconds } from './json-column.js';

export class UserFacts {
  constructor(private readonly db: Database) {}

  set(key: string, value: string): void {
    this.db
      .prepare(
        `INSERT INTO user_facts (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(key, value, nowSeconds());
  }

  get(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM user_facts WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  all(): Record<string, string> {
    const rows = this.db.prepare('SELECT key, value FROM user_facts ORDER BY key').all() as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  delete(key: string): boolean {
    return this.db.prepare('DELETE FROM user_facts WHERE key = ?').run(key).changes > 0;
  }
}
