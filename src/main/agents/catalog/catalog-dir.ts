/** Finds `catalogue_agents/` from wherever this code runs: src/ in tests, out/ built, the asar in Electron. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function defaultCatalogDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'catalogue_agents');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  // Not found: the catalog reports the missing folder instead of failing to start.
  return join(process.cwd(), 'catalogue_agents');
}
