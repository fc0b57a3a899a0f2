/**
 * Installs the npm packages that recipes and generated agents declare, into
 * `<stateDir>/packages/node_modules` (see package-modules.ts for how agents get them). One install
 * runs at a time (npm does not share a folder); each request is a job with progress on MQTT:
 *
 * - `installer/progress`: `{job_id, agent?, recipe?, packages, status, progress?, message, timestamp}`
 *   with status pending | running | done | failed | needs_approval (the dashboard's catalog view
 *   shows it on the recipe's card);
 * - `agents/{installer id}/logs`: `{type: 'install', message, timestamp, job_id, packages, status}`
 *   for each step, and a `{type: 'job_done', job_kind: 'install', job_id, ok, duration_s}` entry at
 *   the end (desktop notification for long installs, docs/desktop.md).
 *
 * Packages not on the user-approved allowlist are not installed: the answer is `needs_approval`
 * with their list, until the user approves them (REST `POST /installer/approve`).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toError } from '../../core/errors.js';
import type { Persistence } from '../../persistence/persistence.js';
import { Allowlist } from './allowlist.js';
import type { InstalledPackage, InstallOutcome, InstallRequest, PackageInstaller } from './install-types.js';
import { resolveNpmCli, type NpmRuntime } from './npm-cli.js';
import { runNpmInstall } from './npm-runner.js';
import { clearBundleCache } from './package-modules.js';
import { parsePackageSpec, type PackageSpec } from './package-spec.js';
import type { Logger } from '../../base/logger.js';

export const INSTALLER_PROGRESS_TOPIC = 'installer/progress';

export type JobStatus = 'pending' | 'running' | 'done' | 'failed' | 'needs_approval';

export interface InstallJob {
  job_id: string;
  packages: string[];
  agent: string | null;
  recipe: string | null;
  status: JobStatus;
  message: string;
  started_at: number;
  finished_at: number | null;
}

export interface InstallerServiceOptions {
  stateDir: string;
  persistence: Persistence;
  /** Publishes on the bus (progress and the installer's log topic). */
  publish: (topic: string, payload: unknown) => void;
  /** `agents/{id}/logs` of the installer actor. */
  logTopic: string;
  /** Give up on one npm run after this long (default 5 min). */
  timeoutMs?: number;
  runtime?: NpmRuntime;
  log?: Logger<'info' | 'warning' | 'error'>;
}

const nowSeconds = (): number => Date.now() / 1000;

export class InstallerService implements PackageInstaller {
  readonly packagesDir: string;
  private readonly allowlist: Allowlist;
  private loaded: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly jobs: InstallJob[] = [];

  constructor(private readonly opts: InstallerServiceOptions) {
    this.packagesDir = join(opts.stateDir, 'packages');
    this.allowlist = new Allowlist(opts.persistence, 'installer');
  }

  private ready(): Promise<void> {
    return (this.loaded ??= this.allowlist.load());
  }

  async allowed(): Promise<string[]> {
    await this.ready();
    return this.allowlist.list();
  }

  /** The user approves these packages (names or name@range). */
  async approve(packages: string[]): Promise<string[]> {
    await this.ready();
    const specs = packages.map(parsePackageSpec);
    const list = await this.allowlist.approve(specs);
    this.opts.log?.('info', `approved ${specs.map((s) => s.spec).join(', ')}`);
    return list;
  }

  async revoke(packages: string[]): Promise<string[]> {
    await this.ready();
    return this.allowlist.revoke(packages.map((p) => parsePackageSpec(p).name));
  }

  /** What is in the packages folder. */
  installed(): InstalledPackage[] {
    const pkgFile = join(this.packagesDir, 'package.json');
    if (!existsSync(pkgFile)) return [];
    try {
      const deps = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
      return Object.keys(deps)
        .sort()
        .map((name) => ({ name, version: this.installedVersion(name) ?? deps[name]! }));
    } catch {
      return [];
    }
  }

  recentJobs(): InstallJob[] {
    return [...this.jobs];
  }

  npm(): { cli: string; source: string } | null {
    return resolveNpmCli(this.opts.runtime);
  }

  async install(req: InstallRequest): Promise<InstallOutcome> {
    let specs: PackageSpec[];
    try {
      specs = req.packages.map(parsePackageSpec);
    } catch (e) {
      const error = toError(e).message;
      return { status: 'failed', job_id: randomUUID(), packages: req.packages, error, duration_s: 0, message: `Cannot install: ${error}` };
    }
    await this.ready();
    if (req.approvedByUser) await this.allowlist.approve(specs);
    const missing = specs.filter((s) => !this.allowlist.allows(s));
    if (missing.length) {
      const list = missing.map((s) => s.spec);
      const message = `${list.join(', ')} ${list.length === 1 ? 'needs' : 'need'} your approval before ${list.length === 1 ? 'it is' : 'they are'} installed${req.agent ? ` (for ${req.agent})` : ''}: approve with POST /installer/approve {"packages": ${JSON.stringify(list)}}`;
      this.progress({ job_id: randomUUID(), packages: list, agent: req.agent ?? null, recipe: req.recipe ?? null, status: 'needs_approval', message, started_at: nowSeconds(), finished_at: nowSeconds() });
      return { status: 'needs_approval', packages: list, message };
    }
    const job: InstallJob = { job_id: randomUUID(), packages: specs.map((s) => s.spec), agent: req.agent ?? null, recipe: req.recipe ?? null, status: 'pending', message: 'waiting for the installs before it', started_at: nowSeconds(), finished_at: null };
    this.remember(job);
    this.progress(job);
    const run = this.queue.then(() => this.run(job, specs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(job: InstallJob, specs: PackageSpec[]): Promise<InstallOutcome> {
    const started = Date.now();
    const already = specs.filter((s) => this.satisfied(s));
    if (already.length === specs.length) {
      return this.finish(job, started, true, `already installed: ${job.packages.join(', ')}`, specs);
    }
    const npm = this.npm();
    if (!npm) return this.finish(job, started, false, 'no npm found: it ships with Node.js (or set WACTORZ_NPM_CLI to npm-cli.js)', specs);
    this.update(job, 'running', `installing ${job.packages.join(', ')} with npm (${npm.source})`);
    let fetched = 0;
    let lastReport = 0;
    const result = await runNpmInstall({
      cli: npm.cli,
      prefix: this.packagesDir,
      specs: job.packages,
      timeoutMs: this.opts.timeoutMs ?? 300_000,
      runtime: this.opts.runtime,
      onLine: (line) => {
        if (/^npm http fetch/i.test(line)) fetched++;
        // A line every half second at most: progress, not a log flood.
        if (Date.now() - lastReport > 500 && !/^npm http cache/i.test(line)) {
          lastReport = Date.now();
          this.update(job, 'running', `${line.replace(/https?:\/\/\S+\/(?=[^/]+$)/, '')}${fetched ? ` (${fetched} download${fetched === 1 ? '' : 's'})` : ''}`);
        }
      },
    });
    clearBundleCache();
    if (!result.ok) {
      const reason = result.timedOut ? `npm did not finish within ${Math.round((this.opts.timeoutMs ?? 300_000) / 1000)} s` : explainNpmFailure(result.tail);
      return this.finish(job, started, false, reason, specs);
    }
    const missing = specs.filter((s) => !this.installedVersion(s.name));
    if (missing.length) return this.finish(job, started, false, `npm finished but ${missing.map((s) => s.name).join(', ')} is not in ${this.packagesDir}`, specs);
    return this.finish(job, started, true, `installed ${specs.map((s) => `${s.name}@${this.installedVersion(s.name)}`).join(', ')}`, specs);
  }

  private finish(job: InstallJob, startedMs: number, ok: boolean, message: string, specs: PackageSpec[]): InstallOutcome {
    const duration_s = (Date.now() - startedMs) / 1000;
    job.finished_at = nowSeconds();
    this.update(job, ok ? 'done' : 'failed', ok ? message : `install failed: ${message}`);
    this.opts.publish(this.opts.logTopic, { type: 'job_done', message: ok ? message : `installing ${job.packages.join(', ')} failed: ${message}`, timestamp: nowSeconds(), job_kind: 'install', job_id: job.job_id, ok, duration_s });
    this.opts.log?.(ok ? 'info' : 'error', ok ? message : `installing ${job.packages.join(', ')} failed: ${message}`);
    if (!ok) return { status: 'failed', job_id: job.job_id, packages: job.packages, error: message, duration_s, message: `Installing ${job.packages.join(', ')} failed: ${message}` };
    const installed = specs.map((s) => ({ name: s.name, version: this.installedVersion(s.name) ?? s.range }));
    return { status: 'installed', job_id: job.job_id, packages: job.packages, installed, duration_s, message };
  }

  private update(job: InstallJob, status: JobStatus, message: string): void {
    job.status = status;
    job.message = message;
    this.progress(job);
  }

  private progress(job: InstallJob): void {
    const payload = {
      job_id: job.job_id,
      packages: job.packages,
      ...(job.agent ? { agent: job.agent } : {}),
      ...(job.recipe ? { recipe: job.recipe } : {}),
      status: job.status,
      ...(job.status === 'done' ? { progress: 1 } : {}),
      message: job.message,
      timestamp: nowSeconds(),
    };
    this.opts.publish(INSTALLER_PROGRESS_TOPIC, payload);
    this.opts.publish(this.opts.logTopic, { type: 'install', message: job.message, timestamp: payload.timestamp, job_id: job.job_id, packages: job.packages, status: job.status });
  }

  private remember(job: InstallJob): void {
    this.jobs.push(job);
    if (this.jobs.length > 50) this.jobs.shift();
  }

  private installedVersion(name: string): string | null {
    const file = join(this.packagesDir, 'node_modules', name, 'package.json');
    if (!existsSync(file)) return null;
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? null;
    } catch {
      return null;
    }
  }

  /** Installed at exactly the asked version (a range or 'latest' is re-resolved by npm). */
  private satisfied(s: PackageSpec): boolean {
    const v = this.installedVersion(s.name);
    return v !== null && s.range !== '' && v === s.range;
  }
}

/** npm's own error lines, without the log noise. */
function explainNpmFailure(tail: string[]): string {
  const errors = tail.filter((l) => /^npm (error|ERR!)/i.test(l)).map((l) => l.replace(/^npm (error|ERR!)\s*/i, ''));
  const useful = errors.filter((l) => l && !/^A complete log of this run|^\s*$/.test(l) && !l.includes('_logs'));
  return (useful.length ? useful : tail.slice(-3)).slice(0, 4).join('; ') || 'npm failed';
}
