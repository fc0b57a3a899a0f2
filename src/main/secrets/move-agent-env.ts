/**
 * Upgrade: an older hub stored agents' `env` values in the spawn registry's `config` column of
 * `wactorz.db`. At start they are moved to the secret store and removed from the database, and
 * the database is rewritten so the plaintext is not left behind either: the WAL is checkpointed
 * and truncated, `VACUUM` rebuilds every page (free pages kept the old rows), and the WAL it wrote
 * is folded back and truncated again.
 *
 * Order, so that a crash anywhere loses nothing: values to the store (one atomic write) → rows
 * updated (one transaction) → VACUUM → a marker. A start after a crash finds the rows again (the
 * store write is idempotent) or only the VACUUM missing (no marker). The first start with this
 * version runs the VACUUM once even with nothing to move — an agent deleted earlier may have left
 * its values in free pages. Later starts cost one indexed query.
 */
import type { Database } from 'better-sqlite3';
import { agentSecretName } from './agent-env.js';
import type { SecretStore } from './secret-store.js';

const MARKER_ACTOR = 'hub';
const MARKER_KEY = 'durable:secrets_upgrade';
/** Bump to run the rewrite once more on every database (a new kind of secret moved out). */
const MARKER_VERSION = 1;

type Log = (level: 'info' | 'warning', message: string) => void;

export interface MoveReport {
  /** Agents whose values moved. */
  agents: string[];
  values: number;
  /** True when the database was rewritten (VACUUM) this time. */
  rewritten: boolean;
}

export async function moveAgentEnvOutOfDatabase(db: Database, store: SecretStore, log: Log = () => {}): Promise<MoveReport> {
  const rows = db.prepare(`SELECT name, config FROM spawn_registry WHERE json_type(config, '$.env') IS NOT NULL`).all() as { name: string; config: string }[];
  const changes: Record<string, string> = {};
  const agents: string[] = [];
  for (const row of rows) {
    const env = (JSON.parse(row.config) as { env?: unknown }).env;
    let n = 0;
    if (env && typeof env === 'object' && !Array.isArray(env)) {
      for (const [k, v] of Object.entries(env)) {
        // Only string values ever reached an agent (the config reader drops the rest).
        if (typeof v === 'string') {
          changes[agentSecretName(row.name, k)] = v;
          n++;
        }
      }
    }
    if (n) agents.push(row.name);
  }
  if (Object.keys(changes).length) await store.update(changes);
  if (rows.length) {
    const strip = db.prepare(`UPDATE spawn_registry SET config = json_remove(config, '$.env') WHERE name = ?`);
    db.transaction(() => rows.forEach((r) => strip.run(r.name)))();
  }
  const marker = db.prepare('SELECT value FROM kv WHERE actor = ? AND key = ?').get(MARKER_ACTOR, MARKER_KEY) as { value: string } | undefined;
  const done = marker !== undefined && (JSON.parse(marker.value) as { version?: number }).version === MARKER_VERSION;
  const rewrite = rows.length > 0 || !done;
  if (rewrite) {
    rewriteDatabase(db, log);
    db.prepare('INSERT INTO kv (actor, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (actor, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at').run(
      MARKER_ACTOR,
      MARKER_KEY,
      JSON.stringify({ version: MARKER_VERSION, at: Date.now() / 1000 }),
      Date.now() / 1000,
    );
  }
  const values = Object.keys(changes).length;
  if (values) {
    log('info', `secrets: moved ${values} env value(s) of ${agents.length} agent(s) (${agents.join(', ')}) from wactorz.db to the ${store.kind === 'keychain' ? 'keychain' : 'secret store'}; the database was rewritten without them`);
  }
  return { agents, values, rewritten: rewrite };
}

/** Leaves no old page behind: WAL folded in and truncated, every page rebuilt, the new WAL folded in. */
function rewriteDatabase(db: Database, log: Log): void {
  const bytes = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  if (bytes > 64 * 1024 * 1024) log('info', `secrets: rewriting wactorz.db (${Math.round(bytes / 1024 / 1024)} MB) once so no old page keeps a secret; this takes a moment`);
  checkpoint(db, log);
  db.exec('VACUUM');
  checkpoint(db, log);
}

function checkpoint(db: Database, log: Log): void {
  const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
  if (r && r.busy) log('warning', 'secrets: another connection kept wactorz.db busy; its write-ahead log could not be truncated yet (it is at the next start)');
}
