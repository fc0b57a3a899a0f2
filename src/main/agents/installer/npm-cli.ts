/**
 * Which npm runs installs, and how: always the host's own runtime (`process.execPath`) running
 * npm's `npm-cli.js` — so the desktop app, whose users may have no Node or npm, installs with
 * what it ships. Under Electron the binary is told to behave as Node (`ELECTRON_RUN_AS_NODE=1`).
 *
 * npm-cli.js, first found wins:
 *   1. `WACTORZ_NPM_CLI` (a path), for unusual installs;
 *   2. npm as a dependency of the app (`require.resolve('npm/bin/npm-cli.js')`);
 *   3. the npm next to node: `<prefix>/lib/node_modules/npm` (Linux, macOS) or
 *      `<node dir>/node_modules/npm` (Windows).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface NpmRuntime {
  execPath: string;
  /** `process.versions.electron` when running inside Electron. */
  electron?: string | undefined;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
}

export function currentRuntime(): NpmRuntime {
  return { execPath: process.execPath, electron: process.versions.electron, env: process.env, platform: process.platform };
}

/** The npm-cli.js to use, with where it was found, or null when there is none. */
export function resolveNpmCli(rt: NpmRuntime = currentRuntime()): { cli: string; source: string } | null {
  const fromEnv = rt.env.WACTORZ_NPM_CLI;
  if (fromEnv && existsSync(fromEnv)) return { cli: fromEnv, source: 'WACTORZ_NPM_CLI' };
  try {
    const bundled = createRequire(import.meta.url).resolve('npm/bin/npm-cli.js');
    if (existsSync(bundled)) return { cli: bundled, source: 'bundled' };
  } catch {
    /* npm is not a dependency of this build */
  }
  const nodeDir = dirname(rt.execPath);
  const candidates = rt.platform === 'win32' ? [join(nodeDir, 'node_modules', 'npm', 'bin', 'npm-cli.js')] : [join(nodeDir, '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')];
  for (const c of candidates) if (existsSync(c)) return { cli: c, source: 'next to node' };
  return null;
}

/** The command line and environment that run `npm <args>`. */
export function npmCommand(cli: string, args: string[], rt: NpmRuntime = currentRuntime()): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = { ...rt.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  if (rt.electron) env.ELECTRON_RUN_AS_NODE = '1';
  return { command: rt.execPath, args: [cli, ...args], env };
}
