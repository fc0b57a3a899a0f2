/**
 * Real persistence (its SQLite file, migrations run) in fresh temporary state dirs, for tests:
 * `open()` makes a new dir, `open(dir)` opens one again (a restart); `closeAll()` — in afterEach —
 * closes everything still open and removes the dirs; `close(p)` closes one early (before a restart).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPersistence } from '../open-persistence.js';
import type { Persistence } from '../persistence.js';

export interface TempPersistences {
  open(dir?: string): Promise<{ p: Persistence; dir: string }>;
  close(p: Persistence): Promise<void>;
  closeAll(): Promise<void>;
}

export function tempPersistences(prefix: string): TempPersistences {
  const dirs: string[] = [];
  const opened: Persistence[] = [];
  return {
    async open(dir = mkdtempSync(join(tmpdir(), `${prefix}-`))) {
      if (!dirs.includes(dir)) dirs.push(dir);
      const p = await openPersistence({ stateDir: dir, log: () => {} });
      opened.push(p);
      return { p, dir };
    },
    async close(p) {
      const i = opened.indexOf(p);
      if (i >= 0) opened.splice(i, 1);
      await p.close();
    },
    async closeAll() {
      for (const p of opened.splice(0)) await p.close();
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}
