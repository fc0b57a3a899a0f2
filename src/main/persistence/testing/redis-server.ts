/**
 * A real redis-server for tests: started on a free port with no persistence, stoppable,
 * killable (crash), pausable (hang) and restartable on the same port.
 *
 * Tests that need it call `redisServerAvailability()`: when redis-server is missing they skip
 * with a clear message, except under CI=true where a missing binary is an error.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { stablePort } from '../../testing/stable-port.js';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REDIS_INSTALL_HINT = 'install it with `apt-get install -y redis-server` (tests start their own server)';

export interface RedisAvailability {
  available: boolean;
  /** Why tests are skipped, when they are. */
  reason?: string;
}

/** Whether redis-server can run here; throws under CI=true when it cannot. */
export function redisServerAvailability(binary = 'redis-server'): RedisAvailability {
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return { available: true };
  const reason = `${binary} not found (${probe.error?.message ?? probe.stderr?.trim() ?? 'exit ' + probe.status}); ${REDIS_INSTALL_HINT}`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  return { available: false, reason };
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Whether the process is running (and not paused). */
  readonly running: boolean;
  /** Graceful stop (SIGTERM); resolves when the process has exited. */
  stop(): Promise<void>;
  /** A crash: SIGKILL, no goodbye to clients. */
  kill(): Promise<void>;
  /** A hang: SIGSTOP; connections stay open but nothing answers. */
  pause(): void;
  resume(): void;
  /** Starts again on the same port (after stop/kill) and waits for PING. */
  restart(): Promise<void>;
}

export interface StartRedisOptions {
  binary?: string;
  /** Fixed port; default a free ephemeral one. */
  port?: number;
  readyTimeoutMs?: number;
}

export async function startRedisServer(opts: StartRedisOptions = {}): Promise<RedisServer> {
  const binary = opts.binary ?? 'redis-server';
  const readyTimeoutMs = opts.readyTimeoutMs ?? 15_000;
  const workDir = mkdtempSync(path.join(tmpdir(), 'wactorz-redis-'));
  let port = opts.port ?? (await freePort());
  let child: ChildProcess | undefined;
  let paused = false;

  const launch = async (): Promise<void> => {
    const proc = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', workDir, '--daemonize', 'no', '--logfile', ''],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    let output = '';
    proc.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    proc.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    const exited = new Promise<never>((_, reject) => {
      proc.once('exit', (code, signal) => reject(new Error(`redis-server on port ${port} exited (${signal ?? code}) before answering PING:\n${output}`)));
      proc.once('error', reject);
    });
    exited.catch(() => {}); // only observed through the race below
    await Promise.race([waitForPing(port, readyTimeoutMs), exited]);
  };

  const waitExit = (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      if (paused) proc.kill('SIGCONT');
      proc.kill(signal);
      paused = false;
    });
  };

  // A random free port can be taken between probing and binding: try a few.
  for (let attempt = 0; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      await waitExit('SIGKILL');
      if (opts.port !== undefined || attempt >= 4 || !/Address already in use/i.test(String(err))) {
        rmSync(workDir, { recursive: true, force: true });
        throw err;
      }
      port = await freePort();
    }
  }

  return {
    get port() {
      return port;
    },
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    get running() {
      return !!child && child.exitCode === null && child.signalCode === null && !paused;
    },
    async stop() {
      await waitExit('SIGTERM');
      rmSync(workDir, { recursive: true, force: true });
    },
    async kill() {
      await waitExit('SIGKILL');
      // Our process is gone; if the port still answers, a client "noticing the crash" would wait
      // forever on somebody else's server — say so instead of timing out later.
      if (await ping(port).catch(() => false)) throw new Error(`redis-server on port ${port} was killed, but something else answers PING there`);
    },
    pause() {
      child?.kill('SIGSTOP');
      paused = true;
    },
    resume() {
      child?.kill('SIGCONT');
      paused = false;
    },
    async restart() {
      await waitExit('SIGTERM');
      await launch();
    },
  };
}

/** A TCP port nobody listens on right now, safe to stop and restart a server on (see stable-port.ts). */
export function freePort(): Promise<number> {
  return stablePort();
}

/** Resolves once `PING` on 127.0.0.1:port answers `+PONG`. */
export async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    try {
      if (await ping(port)) return;
      last = 'unexpected reply';
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms (${last})`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let reply = '';
    sock.setTimeout(1000, () => sock.destroy(new Error('PING timed out')));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      reply += d.toString();
      if (reply.includes('\r\n')) {
        sock.end();
        resolve(reply.startsWith('+PONG'));
      }
    });
    sock.once('error', reject);
  });
}
