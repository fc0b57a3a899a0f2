/**
 * A real Mosquitto broker for tests and benches: `startMosquitto()` writes a config to a temp
 * dir, spawns `mosquitto -c <conf>` on a free port of 127.0.0.1, waits until it accepts
 * connections, and can stop (SIGTERM), kill (SIGKILL) and start it again on the same port.
 *
 *   const mq = await startMosquitto();           // mq.url = mqtt://127.0.0.1:<port>
 *   await mq.kill(); …; await mq.start();        // a broker outage
 *   await mq.close();                            // in afterAll
 *
 * Needs the `mosquitto` apt package. `mosquittoAvailability()` tells a test whether to skip;
 * with CI=true a missing binary is an error instead.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { stablePort } from '../../testing/stable-port.js';

export interface MosquittoOptions {
  host?: string;
  /** Fixed port; default: a free one. */
  port?: number;
  /** Keep sessions and retained messages across stop/start (saved on SIGTERM, not on SIGKILL). Default false. */
  persistence?: boolean;
  /** More config lines (password_file, extra listeners…). */
  extraConfig?: string[];
  /** How long to wait for the broker to accept connections (default 15 s). */
  startTimeoutMs?: number;
}

const LOG_LIMIT = 64 * 1024;
const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

/** The mosquitto binary (PATH, then /usr/sbin where Debian puts it), or undefined. */
export function findMosquitto(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, 'mosquitto');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * `{ bin }` when mosquitto is installed; `{ skip }` (a reason to print) when it is not.
 * With CI=true a missing binary throws: CI must not go green by skipping.
 */
export function mosquittoAvailability(): { bin: string; skip?: undefined } | { bin?: undefined; skip: string } {
  const bin = findMosquitto();
  if (bin) return { bin };
  const reason = 'mosquitto is not installed (apt-get install -y mosquitto)';
  if (process.env.CI === 'true') throw new Error(`${reason}: required when CI=true`);
  return { skip: `${reason}; skipping tests against a real Mosquitto` };
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  // Mosquitto is restarted on the same port in tests: keep it out of the ephemeral range.
  return stablePort(host);
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1_000, () => done(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class MosquittoServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private log = '';

  constructor(
    readonly bin: string,
    readonly host: string,
    readonly port: number,
    /** Temp dir holding mosquitto.conf (and the persistence file). */
    readonly dir: string,
    private readonly startTimeoutMs: number,
  ) {}

  get url(): string {
    return `mqtt://${this.host}:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** The broker's process id while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The broker's recent log output (for failure messages). */
  get output(): string {
    return this.log;
  }

  /** Starts the broker (again) on its port and waits until it accepts connections. */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startOnce();
        return;
      } catch (err) {
        // Right after a stop the port can linger briefly; anything else is a real failure.
        if (attempt >= 5 || !/address already in use/i.test((err as Error).message)) throw err;
        await sleep(200 * attempt);
      }
    }
  }

  private async startOnce(): Promise<void> {
    if (this.child) return;
    const child = spawn(this.bin, ['-c', join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(child);
    const append = (chunk: Buffer): void => {
      this.log = (this.log + chunk.toString()).slice(-LOG_LIMIT);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    let exitCode: number | null | undefined;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exitCode = code ?? (signal ? -1 : 0);
        running.delete(child);
        if (this.child === child) this.child = undefined;
        resolve();
      });
      child.once('error', (err) => {
        append(Buffer.from(`spawn failed: ${err.message}\n`));
        exitCode = -1;
        running.delete(child);
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });
    const deadline = Date.now() + this.startTimeoutMs;
    while (Date.now() < deadline) {
      if (exitCode !== undefined) {
        throw new Error(`mosquitto exited (${exitCode}) while starting on ${this.host}:${this.port}:\n${this.log.trim()}`);
      }
      if (await canConnect(this.host, this.port)) return;
      await sleep(25);
    }
    await this.kill();
    throw new Error(`mosquitto did not accept connections on ${this.host}:${this.port} within ${this.startTimeoutMs} ms:\n${this.log.trim()}`);
  }

  /** Graceful stop (SIGTERM: persistence, if on, is saved). */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** Abrupt stop (SIGKILL): a broker crash. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the broker and removes its temp dir. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
    tempDirs.delete(this.dir);
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill(sig);
    const escalate = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(escalate);
  }
}

function writeConfig(dir: string, host: string, port: number, opts: MosquittoOptions): void {
  const lines = [
    `listener ${port} ${host}`,
    'allow_anonymous true',
    opts.persistence ? 'persistence true' : 'persistence false',
    ...(opts.persistence ? [`persistence_location ${dir}/`, 'autosave_interval 1'] : []),
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    // As root mosquitto would switch to the `mosquitto` user, which cannot write our temp dir.
    ...(process.getuid?.() === 0 ? [`user ${userInfo().username}`] : []),
    ...(opts.extraConfig ?? []),
  ];
  writeFileSync(join(dir, 'mosquitto.conf'), `${lines.join('\n')}\n`);
}

/** Starts a Mosquitto broker for a test (see the file comment). */
export async function startMosquitto(opts: MosquittoOptions = {}): Promise<MosquittoServer> {
  const availability = mosquittoAvailability();
  if (!availability.bin) throw new Error(availability.skip);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A test run that dies must not leave brokers behind.
    process.once('exit', () => {
      for (const child of running) child.kill('SIGKILL');
      for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    });
  }
  const host = opts.host ?? '127.0.0.1';
  const attempts = opts.port === undefined ? 5 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = opts.port ?? (await freePort(host));
    const dir = mkdtempSync(join(tmpdir(), 'wactorz-mosquitto-'));
    tempDirs.add(dir);
    writeConfig(dir, host, port, opts);
    const server = new MosquittoServer(availability.bin, host, port, dir, opts.startTimeoutMs ?? 15_000);
    try {
      await server.start();
      return server;
    } catch (err) {
      // Another process may have taken the free port between our probe and mosquitto's bind.
      lastError = err;
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    }
  }
  throw lastError;
}
