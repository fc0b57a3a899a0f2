/** Finds the built dashboard (out/renderer) from wherever this code runs: src/ in tests, out/headless built, asar in Electron. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function defaultDashboardDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'out', 'renderer');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    const sibling = join(dir, 'renderer');
    if (existsSync(join(sibling, 'index.html'))) return sibling;
    dir = dirname(dir);
  }
  // Not built yet: the server says so on / instead of failing to start.
  return join(from, '..', '..', 'out', 'renderer');
}
