/**
 * A real `wactorz node` process for tests and benches: the node CLI (src/main/nodes/node-cli.ts)
 * run by Node with tsx's loader — one process, so `kill('SIGKILL')` is a real crash of the node.
 *
 *   const node = new NodeProcess({ name: 'alpha', stateDir, brokerUrl: mq.url, heartbeatMs: 500 });
 *   await node.start();          // resolves when it prints "is running"
 *   await node.kill();           // kill -9
 *   await node.start();          // the same node again (same state dir)
 *   await node.stop();           // SIGTERM, graceful
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where node_modules and src/ are). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const NODE_CLI = join(REPO_ROOT, 'src/main/nodes/node-cli.ts');
const OUTPUT_LIMIT = 256 * 1024;
const running = new Set<ChildProcess>();
let exitHook = false;

export interface NodeProcessOptions {
  name: string;
  stateDir: string;
  /** mqtt://host:port (or any URL the node's --broker takes). */
  brokerUrl: string;
  heartbeatMs?: number;
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** How long start() waits for "is running" (default 60 s: tsx and a loaded machine). */
  startTimeoutMs?: number;
}

export class NodeProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private log = '';
  /** Output of every run so far (stdout and stderr). */
  get output(): string {
    return this.log;
  }

  constructor(readonly opts: NodeProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    if (this.child) return;
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const c of running) c.kill('SIGKILL');
      });
    }
    const args = [
      '--import',
      'tsx',
      NODE_CLI,
      '--broker',
      this.opts.brokerUrl,
      '--name',
      this.opts.name,
      '--state-dir',
      this.opts.stateDir,
      '--heartbeat-ms',
      String(this.opts.heartbeatMs ?? 10_000),
      ...(this.opts.extraArgs ?? []),
    ];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...this.opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(child);
    let started = false;
    let onStarted: (() => void) | undefined;
    const append = (chunk: Buffer): void => {
      this.log = (this.log + chunk.toString()).slice(-OUTPUT_LIMIT);
      if (!started && this.log.includes(`Wactorz node "${this.opts.name}" is running.`)) {
        started = true;
        onStarted?.();
      }
    };
    const mark = this.log.length;
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    let exitCode: number | null | undefined;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exitCode = code ?? (signal ? -1 : 0);
        running.delete(child);
        if (this.child === child) this.child = undefined;
        resolve();
        onStarted?.();
      });
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node ${this.opts.name} did not start within ${this.opts.startTimeoutMs ?? 60_000} ms:\n${this.log.slice(mark)}`)), this.opts.startTimeoutMs ?? 60_000);
      onStarted = () => {
        clearTimeout(timer);
        if (exitCode !== undefined && !started) reject(new Error(`node ${this.opts.name} exited (${exitCode}) while starting:\n${this.log.slice(mark)}`));
        else resolve();
      };
      if (started) onStarted();
    });
  }

  /** kill -9: the node dies without flushing or saying goodbye. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM: the node stops its agents (state flushed) and exits. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill(sig);
    const escalate = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(escalate);
  }
}

/** The path of an executable on PATH (mosquitto_pub, mosquitto_sub…), or undefined. */
export function findExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}
