/**
 * secrets: what keeping secrets out of SQLite costs.
 * - secrets-upgrade: the one-time start-up step on an older database (200 agents with env values,
 *   20 000 time-series rows): move the values, checkpoint, VACUUM. Baseline: the same step at
 *   every later start (nothing to move: one query).
 * - secret-store-burst: 200 agents' values saved at once (a catalog burst) — writes that arrive
 *   together share one atomic write. Baseline: the same 200 saved one after another.
 * - secrets-fresh-start: opening persistence plus the hub's secrets (store, upgrade checks, the
 *   one-time rewrite of a new database) on a fresh state dir. Baseline: opening persistence alone.
 * - state-dir-tighten: the start-up walk over a state dir of 2 000 loose files (first start after
 *   the upgrade). Baseline: the same walk when everything is already owner-only (a later start
 *   skips it: an owner-only folder is not walked).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/main/persistence/sqlite/open-database.js';
import { SpawnRegistry } from '../src/main/persistence/stores/spawn-registry.js';
import { FileSecretStore } from '../src/main/secrets/file-secret-store.js';
import { moveAgentEnvOutOfDatabase } from '../src/main/secrets/move-agent-env.js';
import { secureStateDir } from '../src/main/persistence/state-dir.js';
import { openPersistence } from '../src/main/persistence/open-persistence.js';
import { openHubSecrets } from '../src/main/secrets/hub-secrets.js';

const root = mkdtempSync(join(tmpdir(), 'wz-bench-secrets-'));
const ms = async (fn: () => unknown): Promise<number> => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};
const report = (name: string, value: number, baseline: number) =>
  console.log(`BENCH ${name} ${value.toFixed(1)} ms baseline=${baseline.toFixed(1)} ratio=${(value / baseline).toFixed(2)}`);

try {
  {
    const dir = join(root, 'upgrade');
    const db = openDatabase(dir);
    const registry = new SpawnRegistry(db);
    db.transaction(() => {
      for (let i = 0; i < 200; i++) registry.upsert({ name: `agent${i}`, kind: 'dynamic', code: 'export async function handleTask() { return 1; }', config: { env: { API_KEY: `key-${i}-${'x'.repeat(40)}`, TOKEN: `tok-${i}` } } });
      const ts = db.prepare('INSERT INTO time_series (series, ts, value) VALUES (?, ?, ?)');
      for (let i = 0; i < 20_000; i++) ts.run(`sensor${i % 50}`, i, Math.random());
    })();
    const store = new FileSecretStore(join(dir, 'secrets.json'));
    const first = await ms(() => moveAgentEnvOutOfDatabase(db, store));
    const later = await ms(() => moveAgentEnvOutOfDatabase(db, store));
    db.close();
    report('secrets-upgrade', first, later);
  }
  {
    const names = Array.from({ length: 200 }, (_, i) => `agent.a${i}.API_KEY`);
    const burstStore = new FileSecretStore(join(root, 'burst', 'secrets.json'));
    const burst = await ms(() => Promise.all(names.map((n) => burstStore.set(n, 'v'))));
    const seqStore = new FileSecretStore(join(root, 'seq', 'secrets.json'));
    const sequential = await ms(async () => {
      for (const n of names) await seqStore.set(n, 'v');
    });
    report('secret-store-burst', burst, sequential);
  }
  {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const plain: number[] = [];
    const withSecrets: number[] = [];
    for (let i = 0; i < 7; i++) {
      plain.push(
        await ms(async () => {
          const p = await openPersistence({ stateDir: join(root, `plain${i}`) });
          await p.close();
        }),
      );
      withSecrets.push(
        await ms(async () => {
          const p = await openPersistence({ stateDir: join(root, `secrets${i}`) });
          await openHubSecrets({ stateDir: join(root, `secrets${i}`), db: p.db });
          await p.close();
        }),
      );
    }
    report('secrets-fresh-start', median(withSecrets), median(plain));
  }
  {
    const dir = join(root, 'state');
    for (let a = 0; a < 100; a++) {
      mkdirSync(join(dir, `actor${a}`), { recursive: true, mode: 0o755 });
      chmodSync(join(dir, `actor${a}`), 0o755);
      for (let f = 0; f < 20; f++) writeFileSync(join(dir, `actor${a}`, `key${f}.json`), '{}', { mode: 0o644 });
    }
    chmodSync(dir, 0o755);
    const first = await ms(() => secureStateDir(dir));
    const steady = await ms(() => secureStateDir(dir, { always: true }));
    report('state-dir-tighten', first, steady);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
