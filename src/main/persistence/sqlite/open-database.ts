/**
 * Opens `<stateDir>/wactorz.db` the way every part of the hub expects it: WAL (readers never
 * block the writer), foreign keys on, a busy timeout instead of instant SQLITE_BUSY,
 * synchronous=NORMAL (safe in WAL against app crashes; fast), and the schema migrated. A new file
 * is created 0600 (owner-only, and so are its -wal and -shm).
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { migrations as defaultMigrations } from '../migrations/index.js';
import type { Migration } from '../migrations/migration.js';
import { applyMigrations, assertNotTooNew } from './migrate.js';
import type { Logger } from '../../base/logger.js';

export const DATABASE_FILE = 'wactorz.db';

export interface OpenDatabaseOptions {
  /**
   * Path to a better_sqlite3.node built for the running runtime. Electron passes the build
   * for its ABI; under plain Node the package's own build is used.
   */
  nativeBinding?: string;
  /** How long a writer waits for a lock before SQLITE_BUSY. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Open read-only (no migrations; still refuses a newer schema). */
  readonly?: boolean;
  /** Override the migration list (tests). Default: migrations/index.ts. */
  migrations?: readonly Migration[];
  log?: Logger;
}

export function databasePath(stateDir: string): string {
  return path.join(stateDir, DATABASE_FILE);
}

export function openDatabase(stateDir: string, opts: OpenDatabaseOptions = {}): Database {
  const file = databasePath(stateDir);
  const list = opts.migrations ?? defaultMigrations;
  const busyTimeoutMs = opts.busyTimeoutMs ?? 5000;
  if (!opts.readonly) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    // Created owner-only before SQLite opens it: SQLite gives the -wal and -shm files the database's mode.
    closeSync(openSync(file, 'a', 0o600));
  }
  let db: Database;
  try {
    db = new BetterSqlite3(file, {
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly ?? false,
      timeout: busyTimeoutMs,
      ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    });
  } catch (err) {
    throw explainOpenError(err, file, opts.nativeBinding);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma('foreign_keys = ON');
    if (opts.readonly) {
      assertNotTooNew(db, list);
      return db;
    }
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      opts.log?.('warning', `persistence: ${file} could not switch to WAL (journal_mode=${String(mode)}); concurrent readers may block`);
    }
    db.pragma('synchronous = NORMAL');
    applyMigrations(db, list, opts.log);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function explainOpenError(err: unknown, file: string, nativeBinding: string | undefined): Error {
  const message = (err as Error).message ?? String(err);
  if (/NODE_MODULE_VERSION|did not self-register|invalid ELF|not a valid Win32/i.test(message)) {
    return new Error(
      `better-sqlite3's native module does not match this runtime (${process.versions.electron ? `Electron ${process.versions.electron}` : `Node ${process.version}`}). ` +
        (nativeBinding
          ? `The nativeBinding ${nativeBinding} was built for another ABI.`
          : 'Under Electron, pass nativeBinding (a build for Electron\'s ABI); under Node, run `npm rebuild better-sqlite3`.') +
        ` (${message})`,
      { cause: err },
    );
  }
  return new Error(`cannot open ${file}: ${message}`, { cause: err });
}
