/** One step of the SQLite schema. See ../README.md ("Adding a migration"). */
import type { Database } from 'better-sqlite3';

export interface Migration {
  /** 1, 2, 3… — contiguous, never reused, never renumbered once committed. */
  readonly version: number;
  /** Short snake_case description, recorded in schema_migrations. */
  readonly name: string;
  /** Runs inside the migration's transaction; throw to abort (nothing is applied). */
  up(db: Database): void;
}
