/**
 * Secrets at rest on a real hub with a real state dir: agents' env values live in the secret
 * store and never in wactorz.db (its bytes, WAL and shared memory grepped); an older hub's state
 * dir (0755, files 0644, env values in the spawn registry, in the WAL and in free pages) is
 * upgraded at start — values moved, the database rewritten, modes tightened — with log lines.
 */
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWactorz } from '../wactorz.js';
import { json, postJson } from '../testing/http.js';
import { openDatabase } from '../persistence/sqlite/open-database.js';
import { SpawnRegistry } from '../persistence/stores/spawn-registry.js';

const TOKEN = 'tok-LIVE-AGENT-SECRET-7f3a9c';
const OTHER = 'other-VALUE-SECRET-91b2';
const GONE = 'gone-DELETED-AGENT-SECRET-55e1';
const FRESH = 'fresh-REST-GIVEN-SECRET-c0ffee';
const LEGACY_KEY = 'sk-LEGACY-SETTINGS-KEY-d00d';
/** Runs `expr` inside the agent: `{ok, value}` or `{ok: false, error}`. */
const PROBE = `export async function handleTask(agent, p) {
  try { return { ok: true, value: await (new Function('agent', 'p', 'return (async () => (' + p.expr + '))()'))(agent, p) }; }
  catch (e) { return { ok: false, error: String(e && e.message || e) }; }
}`;
const CODE = 'export async function handleTask(agent) { return { token: agent.env.TOKEN ?? null, other: agent.env.OTHER ?? null }; }';

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'wz-secrets-at-rest-'));
});
afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

const config = (stateDir: string) => ({ stateDir, llm: { provider: 'none' as const }, interface: 'rest' as const, restPort: 0, monitorPort: null, mqtt: { port: 0 } });
const recorder = () => {
  const lines: string[] = [];
  return { lines, log: (level: string, message: string) => void lines.push(`${level}: ${message}`) };
};
const mode = (p: string) => statSync(p).mode & 0o777;

/** Every byte SQLite keeps for the database: the file, its WAL and its shared memory. */
function dbBytes(dir: string): Buffer {
  return Buffer.concat(['wactorz.db', 'wactorz.db-wal', 'wactorz.db-shm'].map((f) => join(dir, f)).filter(existsSync).map((f) => readFileSync(f)));
}

/** Paths under `dir` (not inside node_modules, not symlinks) that group or others can read. */
function looseModes(dir: string): string[] {
  const loose: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) continue;
      if (st.mode & 0o077) loose.push(`${p} ${(st.mode & 0o777).toString(8)}`);
      if (st.isDirectory() && name !== 'node_modules') walk(p);
    }
  };
  walk(dir);
  return loose;
}

/**
 * The state dir an older hub left after a crash: env values in spawn_registry rows, in the WAL
 * (not checkpointed), in a free page (an agent deleted), the folder 0755 and its files 0644.
 */
function olderHubStateDir(): string {
  const live = join(base, 'live');
  const db = openDatabase(live);
  db.pragma('wal_autocheckpoint = 0');
  const registry = new SpawnRegistry(db);
  // A large value spills into overflow pages, which go to the free list untouched when the row is deleted.
  registry.upsert({ name: 'gone', kind: 'dynamic', code: CODE, language: 'javascript', config: { env: { TOKEN: GONE, CERT: GONE.repeat(400) } } });
  registry.upsert({ name: 'weather', kind: 'dynamic', code: CODE, language: 'javascript', config: { description: 'forecasts', env: { TOKEN, OTHER } } });
  db.pragma('wal_checkpoint(TRUNCATE)');
  registry.remove('gone');
  registry.upsert({ name: 'weather', kind: 'dynamic', code: `${CODE}\n// v2`, language: 'javascript', config: { description: 'forecasts', env: { TOKEN, OTHER } } });
  registry.upsert({ name: 'prober', kind: 'dynamic', code: PROBE, language: 'javascript', config: {} });
  // Settings saved from the dashboard by that hub: plain part in SQLite, the key in the flat secrets.json.
  db.prepare('INSERT INTO kv (actor, key, value, updated_at) VALUES (?, ?, ?, ?)').run('hub', 'durable:settings', JSON.stringify({ llm: { provider: 'openai', model: 'gpt-4o', baseUrl: 'http://127.0.0.1:9/v1' } }), 0);
  const crashed = join(base, 'state');
  mkdirSync(crashed);
  for (const f of ['wactorz.db', 'wactorz.db-wal']) copyFileSync(join(live, f), join(crashed, f));
  db.close();
  writeFileSync(join(crashed, 'secrets.json'), JSON.stringify({ llmApiKey: LEGACY_KEY }));
  for (const f of readdirSync(crashed)) chmodSync(join(crashed, f), 0o644);
  chmodSync(crashed, 0o755);
  return crashed;
}

describe('secrets at rest', () => {
  it('upgrades an older state dir: env values out of wactorz.db (WAL and free pages too), modes tightened, agents unchanged', async () => {
    const dir = olderHubStateDir();
    const before = dbBytes(dir);
    for (const s of [TOKEN, OTHER, GONE]) expect(before.includes(s), `the old files hold ${s}`).toBe(true);

    const { lines, log } = recorder();
    const hub = await startWactorz(config(dir), { log, env: {} });
    try {
      expect(lines).toContain(`info: state dir ${dir}: tightened (the folder was 0755, now 0700; 3 file(s) readable by others are now owner-only)`);
      expect(lines).toContain('info: secrets: moved 1 saved setting secret(s) into the secret store');
      expect(await json(fetch(`${hub.restUrl}/settings`))).toMatchObject({ llm: { provider: 'openai', apiKeySet: true } });
      expect(lines).toContain('info: secrets: moved 2 env value(s) of 1 agent(s) (weather) from wactorz.db to the secret store; the database was rewritten without them');
      // The agent works as before, with its values from the store.
      const r = await json(postJson(`${hub.restUrl}/agents/weather/tasks`, { payload: {} }));
      expect(r.result).toEqual({ token: TOKEN, other: OTHER });
      const described = await json(fetch(`${hub.restUrl}/agents/weather`));
      expect(described.spec.config.env).toEqual(['OTHER', 'TOKEN']);
      expect(JSON.stringify(described)).not.toContain(TOKEN);

      const after = dbBytes(dir);
      for (const s of [TOKEN, OTHER, GONE]) expect(after.includes(s), `wactorz.db still holds ${s}`).toBe(false);
      const secrets = join(dir, 'secrets.json');
      expect(mode(secrets)).toBe(0o600);
      expect(JSON.parse(readFileSync(secrets, 'utf8')).secrets).toEqual({ 'agent.weather.OTHER': OTHER, 'agent.weather.TOKEN': TOKEN, 'settings.llm_api_key': LEGACY_KEY });
      expect(after.includes(LEGACY_KEY)).toBe(false);

      // Another agent sees none of it: not in its env, not through its storage.
      const probe = async (expr: string) => (await json(postJson(`${hub.restUrl}/agents/prober/tasks`, { payload: { expr } }))).result;
      expect(await probe('agent.env')).toEqual({ ok: true, value: {} });
      for (const key of ['../secrets.json', '../secrets', '/etc/passwd', '..']) {
        expect((await probe(`agent.recall(${JSON.stringify(key)})`)).ok, key).toBe(false);
      }
      expect(mode(dir)).toBe(0o700);
      expect(looseModes(dir)).toEqual([]);
    } finally {
      await hub.stop();
    }

    // The next start has nothing to move or tighten, and the agent still has its values.
    const again = recorder();
    const hub2 = await startWactorz(config(dir), { log: again.log, env: {} });
    try {
      expect(again.lines.filter((l) => /secrets: moved|tightened|rewriting/.test(l))).toEqual([]);
      expect((await json(postJson(`${hub2.restUrl}/agents/weather/tasks`, { payload: {} }))).result).toEqual({ token: TOKEN, other: OTHER });
    } finally {
      await hub2.stop();
    }
    expect(dbBytes(dir).includes(TOKEN)).toBe(false);
  });

  it('a new state dir is owner-only, and env given over REST goes to the store — kept on replace, removed on delete', async () => {
    const dir = join(base, 'new-state');
    const { log } = recorder();
    const old = process.umask(0o022);
    let hub: Awaited<ReturnType<typeof startWactorz>>;
    try {
      hub = await startWactorz(config(dir), { log, env: {} });
    } finally {
      process.umask(old);
    }
    try {
      const created = await postJson(`${hub.restUrl}/agents`, { name: 'fresh', code: CODE, env: { TOKEN: FRESH } });
      expect(created.status).toBe(201);
      expect((await json(postJson(`${hub.restUrl}/agents/fresh/tasks`, { payload: {} }))).result).toEqual({ token: FRESH, other: null });
      // Live: neither the database nor its WAL holds the value; the store does.
      expect(dbBytes(dir).includes(FRESH)).toBe(false);
      expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).toContain(FRESH);

      // Replaced without env: the values stay; with another env: only those.
      expect((await postJson(`${hub.restUrl}/agents`, { name: 'fresh', code: `${CODE}\n// v2`, replace: true })).status).toBe(201);
      expect((await json(postJson(`${hub.restUrl}/agents/fresh/tasks`, { payload: {} }))).result).toEqual({ token: FRESH, other: null });
      expect((await postJson(`${hub.restUrl}/agents`, { name: 'fresh', code: `${CODE}\n// v3`, replace: true, env: { OTHER: 'o' } })).status).toBe(201);
      expect((await json(postJson(`${hub.restUrl}/agents/fresh/tasks`, { payload: {} }))).result).toEqual({ token: null, other: 'o' });
      expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).not.toContain(FRESH);

      expect((await fetch(`${hub.restUrl}/agents/fresh`, { method: 'DELETE' })).status).toBe(200);
      await expect.poll(() => JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')).secrets).toEqual({});

      expect(mode(dir)).toBe(0o700);
      for (const f of ['wactorz.db', 'wactorz.db-wal', 'wactorz.db-shm']) expect(mode(join(dir, f)), f).toBe(0o600);
      expect(looseModes(dir)).toEqual([]);
    } finally {
      await hub.stop();
    }
    expect(dbBytes(dir).includes(FRESH)).toBe(false);
  });
});
