/**
 * Runs one `npm install` into the packages folder, streaming npm's progress lines. Install scripts
 * are never run (`--ignore-scripts`): a package is code for the sandbox, not for this machine.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { npmCommand, type NpmRuntime, currentRuntime } from './npm-cli.js';

export interface NpmRunOptions {
  cli: string;
  prefix: string;
  specs: string[];
  timeoutMs: number;
  /** One line of npm output at a time (fetches, warnings). */
  onLine?: (line: string) => void;
  runtime?: NpmRuntime;
}

export interface NpmRunResult {
  ok: boolean;
  code: number | null;
  /** The last lines of output, for error messages. */
  tail: string[];
  timedOut: boolean;
}

/** Creates `<prefix>/package.json` once, so npm treats the folder as its own project. */
export function ensurePackagesDir(prefix: string): void {
  mkdirSync(prefix, { recursive: true });
  const pkg = join(prefix, 'package.json');
  if (!existsSync(pkg)) {
    writeFileSync(pkg, `${JSON.stringify({ name: 'wactorz-agent-packages', private: true, description: 'npm packages installed for Wactorz agents by the installer', dependencies: {} }, null, 2)}\n`);
  }
}

export function runNpmInstall(o: NpmRunOptions): Promise<NpmRunResult> {
  ensurePackagesDir(o.prefix);
  const args = ['install', ...o.specs, '--prefix', o.prefix, '--save', '--save-exact', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=http', '--color=false'];
  const cmd = npmCommand(o.cli, args, o.runtime ?? currentRuntime());
  return new Promise((resolve) => {
    const tail: string[] = [];
    let timedOut = false;
    let settled = false;
    const child = spawn(cmd.command, cmd.args, { cwd: o.prefix, env: cmd.env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const onData = (buf: Buffer): void => {
      for (const raw of buf.toString('utf8').split(/\r?\n/)) {
        const line = raw.trim();
        if (!line) continue;
        tail.push(line);
        if (tail.length > 30) tail.shift();
        o.onLine?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    }, o.timeoutMs);
    const done = (code: number | null, extra?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (extra) tail.push(extra);
      resolve({ ok: code === 0 && !timedOut, code, tail, timedOut });
    };
    child.on('error', (e) => done(null, `could not start npm: ${e.message}`));
    child.on('close', (code) => done(code));
  });
}
