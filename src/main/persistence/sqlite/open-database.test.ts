import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../migrations/index.js';
import type { Migration } from '../migrations/migration.js';
import { DatabaseTooNewError, MigrationError, schemaVersion } from './migrate.js';
import { databasePath, openDatabase } from './open-database.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wactorz-db-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('creates <stateDir>/wactorz.db with WAL, foreign keys, busy timeout and synchronous=NORMAL', () => {
    const stateDir = path.join(dir, 'nested', 'state');
    const db = openDatabase(stateDir, { busyTimeoutMs: 1234 });
    try {
      expect(db.name).toBe(path.join(stateDir, 'wactorz.db'));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      db.prepare("INSERT INTO user_facts (key, value, updated_at) VALUES ('k', 'v', 1)").run();
      expect(existsSync(`${db.name}-wal`)).toBe(true);
    } finally {
      db.close();
    }
  });

  it('applies every migration once and records it', () => {
    const first = openDatabase(dir);
    const latest = migrations[migrations.length - 1]!.version;
    expect(schemaVersion(first)).toBe(latest);
    const rows = first.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(migrations.map((m) => ({ version: m.version, name: m.name })));
    first.prepare("INSERT INTO kv (actor, key, value, updated_at) VALUES ('a', 'k', '{\"x\":1}', 1)").run();
    first.close();

    const again = openDatabase(dir);
    try {
      expect(again.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: migrations.length });
      expect(again.prepare("SELECT value FROM kv WHERE actor = 'a' AND key = 'k'").get()).toEqual({ value: '{"x":1}' });
    } finally {
      again.close();
    }
  });

  it('refuses a database written by a newer Wactorz, without touching it', () => {
    openDatabase(dir).close();
    const raw = new BetterSqlite3(databasePath(dir));
    raw.pragma('user_version = 999');
    raw.close();

    let error: unknown;
    try {
      openDatabase(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatabaseTooNewError);
    expect((error as Error).message).toMatch(/schema version 999.*only knows versions up to \d+.*newer Wactorz/);
    const check = new BetterSqlite3(databasePath(dir), { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(999);
    check.close();
    expect(() => openDatabase(dir, { readonly: true })).toThrow(DatabaseTooNewError);
  });

  it('rolls back a failing migration entirely and keeps the previous version', () => {
    const broken: Migration = {
      version: migrations.length + 1,
      name: 'broken_step',
      up(db) {
        db.exec('CREATE TABLE half_done (x INTEGER)');
        throw new Error('boom');
      },
    };
    expect(() => openDatabase(dir, { migrations: [...migrations, broken] })).toThrow(MigrationError);
    const db = openDatabase(dir);
    try {
      expect(schemaVersion(db)).toBe(migrations.length);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('applies a migration appended later to an existing database, keeping the data', () => {
    const db1 = openDatabase(dir);
    db1.prepare("INSERT INTO user_facts (key, value, updated_at) VALUES ('name', 'Ada', 1)").run();
    db1.close();
    const next: Migration = {
      version: migrations.length + 1,
      name: 'add_fact_source',
      up(db) {
        db.exec("ALTER TABLE user_facts ADD COLUMN source TEXT NOT NULL DEFAULT ''");
      },
    };
    const db2 = openDatabase(dir, { migrations: [...migrations, next] });
    try {
      expect(schemaVersion(db2)).toBe(next.version);
      expect(db2.prepare('SELECT key, value, source FROM user_facts').all()).toEqual([{ key: 'name', value: 'Ada', source: '' }]);
    } finally {
      db2.close();
    }
  });

  it('rejects a migration list with gaps or bad names', () => {
    const gap: Migration = { version: migrations.length + 2, name: 'gap', up() {} };
    expect(() => openDatabase(dir, { migrations: [...migrations, gap] })).toThrow(/versions must be 1, 2, 3/);
    const badName: Migration = { version: migrations.length + 1, name: 'Bad Name', up() {} };
    expect(() => openDatabase(dir, { migrations: [...migrations, badName] })).toThrow(/snake_case/);
  });

  it('lets readers read while a writer holds an open write transaction (WAL)', () => {
    const writer = openDatabase(dir);
    const reader = openDatabase(dir);
    const readOnly = openDatabase(dir, { readonly: true });
    try {
      writer.prepare("INSERT INTO user_facts (key, value, updated_at) VALUES ('a', 'committed', 1)").run();
      writer.exec('BEGIN IMMEDIATE');
      writer.prepare("UPDATE user_facts SET value = 'uncommitted' WHERE key = 'a'").run();
      // Both readers see the last committed state and are not blocked by the writer's lock.
      expect(reader.prepare("SELECT value FROM user_facts WHERE key = 'a'").get()).toEqual({ value: 'committed' });
      expect(readOnly.prepare("SELECT value FROM user_facts WHERE key = 'a'").get()).toEqual({ value: 'committed' });
      writer.exec('COMMIT');
      expect(reader.prepare("SELECT value FROM user_facts WHERE key = 'a'").get()).toEqual({ value: 'uncommitted' });
    } finally {
      readOnly.close();
      reader.close();
      writer.close();
    }
  });

  it('gives a clear error for a nativeBinding that cannot be loaded', () => {
    expect(() => openDatabase(dir, { nativeBinding: path.join(dir, 'missing.node') })).toThrow(/cannot open .*wactorz\.db|native module/);
  });
});

describe('initial schema', () => {
  it('enforces JSON columns and cascades code versions with their agent', () => {
    const db = openDatabase(dir);
    try {
      expect(() => db.prepare("INSERT INTO kv (actor, key, value, updated_at) VALUES ('a', 'k', 'not json', 1)").run()).toThrow(/CHECK/);
      db.prepare("INSERT INTO spawn_registry (name, kind, code, language, config, created_at, updated_at) VALUES ('temp', 'dynamic', 'x', 'javascript', '{}', 1, 1)").run();
      db.prepare("INSERT INTO agent_code_versions (name, version, code, language, created_at) VALUES ('temp', 1, 'x', 'javascript', 1)").run();
      expect(() =>
        db.prepare("INSERT INTO agent_code_versions (name, version, code, language, created_at) VALUES ('ghost', 1, 'x', 'javascript', 1)").run(),
      ).toThrow(/FOREIGN KEY/);
      db.prepare("DELETE FROM spawn_registry WHERE name = 'temp'").run();
      expect(db.prepare('SELECT COUNT(*) AS n FROM agent_code_versions').get()).toEqual({ n: 0 });
      const plan = db.prepare("EXPLAIN QUERY PLAN SELECT * FROM time_series WHERE series = 's' AND ts > 5").all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/time_series_series_ts/);
    } finally {
      db.close();
    }
  });
});

describe('several processes opening one fresh database at once', () => {
  it('migrates exactly once; every process ends up on the latest version', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const moduleUrl = new URL('./open-database.ts', import.meta.url).href;
    const script = `
      const { openDatabase } = await import(${JSON.stringify(moduleUrl)});
      const db = openDatabase(${JSON.stringify(dir)});
      process.stdout.write(String(db.pragma('user_version', { simple: true })));
      db.close();
    `;
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`))));
      });
    const versions = await Promise.all([run(), run(), run(), run()]);
    expect(versions).toEqual(Array(4).fill(String(migrations.length)));
    const db = openDatabase(dir);
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: migrations.length });
    } finally {
      db.close();
    }
  }, 60_000);
});
