/**
 * Every spawned agent (spawn_registry) and every version of its code (agent_code_versions),
 * so agents come back after a restart and a bad hot-swap can be rolled back. A change of code
 * creates a new version; history is linear (a rollback is a new version with old code).
 */
import type { Database } from 'better-sqlite3';
import { fromJson, nowSeconds, toJson } from './json-column.js';

export interface SpawnEntry {
  name: string;
  /** dynamic | llm | manual | ha_actuator | catalog … */
  kind: string;
  code: string | null;
  /** javascript | typescript, or null for agents without code. */
  language: string | null;
  /** Current code version (1 for the first). */
  version: number;
  config: Record<string, unknown>;
  /** Remote node that hosts it; '' = this hub. */
  node: string;
  createdAt: number;
  updatedAt: number;
}

export interface SpawnUpsert {
  name: string;
  kind: string;
  code?: string | null;
  language?: string | null;
  config?: Record<string, unknown>;
  node?: string;
  /** Recorded with the code version when the code changes. */
  note?: string;
}

export interface CodeVersion {
  name: string;
  version: number;
  code: string;
  language: string;
  createdAt: number;
  note: string;
}

interface SpawnRow {
  name: string;
  kind: string;
  code: string | null;
  language: string | null;
  version: number;
  config: string;
  node: string;
  created_at: number;
  updated_at: number;
}
interface VersionRow {
  name: string;
  version: number;
  code: string;
  language: string;
  created_at: number;
  note: string;
}

export class SpawnRegistry {
  constructor(private readonly db: Database) {}

  get(name: string): SpawnEntry | undefined {
    const row = this.db.prepare('SELECT * FROM spawn_registry WHERE name = ?').get(name) as SpawnRow | undefined;
    return row && toEntry(row);
  }

  /** How many agents are registered (cheaper than list().length). */
  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM spawn_registry').get() as { n: number }).n;
  }

  list(): SpawnEntry[] {
    return (this.db.prepare('SELECT * FROM spawn_registry ORDER BY created_at, rowid').all() as SpawnRow[]).map(toEntry);
  }

  /** Creates or updates an entry; a new or changed `code` becomes a new version. */
  upsert(input: SpawnUpsert): SpawnEntry {
    return this.db.transaction((): SpawnEntry => {
      const now = nowSeconds();
      const current = this.get(input.name);
      const code = input.code === undefined ? (current?.code ?? null) : input.code;
      const language = input.language === undefined ? (current?.language ?? (code === null ? null : 'javascript')) : input.language;
      const codeChanged = code !== null && (current?.code !== code || current?.language !== language);
      const version = current ? (codeChanged ? this.latestVersion(input.name) + 1 : current.version) : 1;
      const config = toJson(input.config ?? current?.config ?? {}, `spawn_registry ${input.name} config`);
      this.db
        .prepare(
          `INSERT INTO spawn_registry (name, kind, code, language, version, config, node, created_at, updated_at)
           VALUES (@name, @kind, @code, @language, @version, @config, @node, @now, @now)
           ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, code = excluded.code, language = excluded.language,
             version = excluded.version, config = excluded.config, node = excluded.node, updated_at = excluded.updated_at`,
        )
        .run({ name: input.name, kind: input.kind, code, language, version, config, node: input.node ?? current?.node ?? '', now });
      if (codeChanged) {
        this.db
          .prepare('INSERT INTO agent_code_versions (name, version, code, language, created_at, note) VALUES (?, ?, ?, ?, ?, ?)')
          .run(input.name, version, code, language ?? 'javascript', now, input.note ?? '');
      }
      return this.get(input.name)!;
    })();
  }

  /** Removes the entry and its code history. Returns whether it existed. */
  remove(name: string): boolean {
    return this.db.prepare('DELETE FROM spawn_registry WHERE name = ?').run(name).changes > 0;
  }

  /** Newest first. */
  versions(name: string): CodeVersion[] {
    return (this.db.prepare('SELECT * FROM agent_code_versions WHERE name = ? ORDER BY version DESC').all(name) as VersionRow[]).map(toVersion);
  }

  codeVersion(name: string, version: number): CodeVersion | undefined {
    const row = this.db.prepare('SELECT * FROM agent_code_versions WHERE name = ? AND version = ?').get(name, version) as VersionRow | undefined;
    return row && toVersion(row);
  }

  /** Makes `version`'s code current again, as a new version (history stays linear). */
  rollback(name: string, version: number, note = `rollback to v${version}`): SpawnEntry {
    const entry = this.get(name);
    const target = this.codeVersion(name, version);
    if (!entry || !target) throw new Error(`no version ${version} of agent "${name}"`);
    return this.upsert({ name, kind: entry.kind, code: target.code, language: target.language, note });
  }

  private latestVersion(name: string): number {
    const row = this.db.prepare('SELECT MAX(version) AS v FROM agent_code_versions WHERE name = ?').get(name) as { v: number | null };
    return row.v ?? 0;
  }
}

function toEntry(r: SpawnRow): SpawnEntry {
  return {
    name: r.name,
    kind: r.kind,
    code: r.code,
    language: r.language,
    version: r.version,
    config: fromJson<Record<string, unknown>>(r.config, `spawn_registry ${r.name} config`),
    node: r.node,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toVersion(r: VersionRow): CodeVersion {
  return { name: r.name, version: r.version, code: r.code, language: r.language, createdAt: r.created_at, note: r.note };
}
