#!/usr/bin/env node
// `npm run bench [name…]`: runs each bench/*.bench.ts in its own process (so one bench's heap and
// timers never skew another's) and collects the `BENCH <name> <value> <unit> baseline=… ratio=…` lines.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const files = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
const lines = [];
let failed = 0;
for (const f of files) {
  process.stderr.write(`\n── ${f}\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(root, 'bench', f)], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 180_000 });
  process.stdout.write(r.stdout ?? '');
  lines.push(...(r.stdout ?? '').split('\n').filter((l) => l.startsWith('BENCH ')));
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`${f} failed (exit ${r.status ?? r.signal})\n`);
  }
}
process.stdout.write(`\nSummary (${files.length} benches):\n${lines.join('\n')}\n`);
process.exit(failed ? 1 : 0);
