/**
 * Applies schema migrations in order, each in its own IMMEDIATE transaction, and records the
 * result in `PRAGMA user_version` (the authority) and in `schema_migrations` (the history).
 * Two processes opening the same fresh database at once is safe: the second waits for the
 * first's write lock and then finds the work done.
 */
import type { Database } from 'better-sqlite3';
import type { Migration } from '../migrations/migration.js';
import type { Logger } from '../../base/logger.js';

export class DatabaseTooNewError extends Error {
  override name = 'DatabaseTooNewError';
  constructor(
    readonly file: string,
    readonly dbVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `${file} has schema version ${dbVersion}, but this Wactorz only knows versions up to ${codeVersion}: ` +
        `it was written by a newer Wactorz. Upgrade Wactorz, or use another state directory (--state-dir). ` +
        `The database was not modified.`,
    );
  }
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface MigrationResult {
  from: number;
  to: number;
  applied: string[];
}

/** Throws if the list is not 1, 2, 3… with names. Called on every open: a bad list is a bug we want loud. */
export function validateMigrations(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new MigrationError(`migration #${i} (${m.name}) has version ${m.version}; versions must be 1, 2, 3… in order`);
    }
    if (!/^[a-z0-9_]+$/.test(m.name)) {
      throw new MigrationError(`migration ${m.version} name ${JSON.stringify(m.name)} must be snake_case`);
    }
  });
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function latestVersion(list: readonly Migration[]): number {
  return list.length === 0 ? 0 : list[list.length - 1]!.version;
}

export function assertNotTooNew(db: Database, list: readonly Migration[]): void {
  const current = schemaVersion(db);
  const latest = latestVersion(list);
  if (current > latest) throw new DatabaseTooNewError(db.name, current, latest);
}

export function applyMigrations(db: Database, list: readonly Migration[], log?: Logger): MigrationResult {
  validateMigrations(list);
  assertNotTooNew(db, list);
  const from = schemaVersion(db);
  const applied: string[] = [];
  for (const m of list) {
    if (m.version <= schemaVersion(db)) continue;
    const step = db.transaction(() => {
      // Re-read under the write lock: another process may have migrated meanwhile.
      const current = schemaVersion(db);
      if (current >= m.version) return false;
      if (current !== m.version - 1) {
        throw new MigrationError(`cannot apply migration ${m.version} (${m.name}) on schema version ${current}`);
      }
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        applied_at REAL NOT NULL
      )`);
      m.up(db);
      const violations = db.pragma('foreign_key_check') as unknown[];
      if (violations.length > 0) {
        throw new MigrationError(`migration ${m.version} (${m.name}) leaves ${violations.length} foreign key violation(s)`);
      }
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now() / 1000);
      db.pragma(`user_version = ${m.version}`);
      return true;
    });
    try {
      if (step.immediate()) applied.push(`${m.version}-${m.name}`);
    } catch (err) {
      if (err instanceof MigrationError) throw err;
      throw new MigrationError(`migration ${m.version} (${m.name}) failed and was rolled back: ${(err as Error).message}`, { cause: err });
    }
  }
  const to = schemaVersion(db);
  if (applied.length > 0) log?.('info', `persistence: SQLite schema ${from} → ${to} (${applied.join(', ')})`);
  return { from, to, applied };
}
