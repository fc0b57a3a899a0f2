/**
 * Starts, restarts and stops the hub for the desktop shell, one operation at a time. Two desktop
 * concerns live here rather than in the core:
 * - a taken port (another Wactorz, another app on 8888 or 1883) is not fatal for a tray app: the
 *   hub is started again on ports the OS picks, and `portFallback` says so;
 * - a restart (settings changed) keeps the dashboard's port when it was chosen by the OS, so the
 *   window's origin — and its CSP, trust checks and open page — stay valid.
 */
import type { WactorzConfigInput } from '../config/config.js';
import type { WactorzHandle } from '../wactorz-handle.js';
import { portOf } from './app-origin.js';
import { withEphemeralPorts } from './desktop-config.js';
import type { Logger } from '../base/logger.js';

export type StartWactorz = (config: WactorzConfigInput) => Promise<WactorzHandle>;

export interface HubRunnerOptions {
  start: StartWactorz;
  log?: Logger<'info' | 'warning' | 'error'>;
}

export class HubRunner {
  private current: WactorzHandle | null = null;
  private error: Error | null = null;
  private fellBack = false;
  private lastPort: number | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: HubRunnerOptions) {}

  get handle(): WactorzHandle | null {
    return this.current;
  }
  /** Why the last start failed, or null. */
  get lastError(): Error | null {
    return this.error;
  }
  /** True when the configured ports were taken and the hub runs on OS-picked ones. */
  get portFallback(): boolean {
    return this.fellBack;
  }

  start(config: WactorzConfigInput): Promise<WactorzHandle> {
    return this.serial(async () => {
      if (this.current) return this.current;
      return this.startNow(config);
    });
  }

  /** Stops the running hub (if any) and starts it with `config`. */
  restart(config: WactorzConfigInput): Promise<WactorzHandle> {
    return this.serial(async () => {
      await this.stopNow();
      return this.startNow(config);
    });
  }

  /** Graceful stop; idempotent. */
  stop(): Promise<void> {
    return this.serial(() => this.stopNow());
  }

  private async startNow(config: WactorzConfigInput): Promise<WactorzHandle> {
    this.error = null;
    this.fellBack = false;
    // Keep an OS-picked dashboard port across restarts (see the file comment).
    const wantsEphemeral = config.monitorPort === 0;
    const first = wantsEphemeral && this.lastPort ? { ...config, monitorPort: this.lastPort } : config;
    try {
      return this.started(await this.opts.start(first));
    } catch (e) {
      if (!isPortInUse(e)) return this.failed(e);
      const retry = withEphemeralPorts(config);
      this.opts.log?.('warning', `a port the hub needs is in use (${(e as Error).message}); starting on ports the OS picks instead`);
      this.fellBack = true;
      try {
        return this.started(await this.opts.start(retry));
      } catch (e2) {
        this.fellBack = false;
        return this.failed(e2);
      }
    }
  }

  private started(handle: WactorzHandle): WactorzHandle {
    this.current = handle;
    if (handle.dashboardUrl) this.lastPort = portOf(handle.dashboardUrl);
    return handle;
  }

  private failed(e: unknown): never {
    this.error = e instanceof Error ? e : new Error(String(e));
    this.opts.log?.('error', `the hub did not start: ${this.error.message}`);
    throw this.error;
  }

  private async stopNow(): Promise<void> {
    const h = this.current;
    if (!h) return;
    this.current = null;
    try {
      await h.stop();
    } catch (e) {
      this.opts.log?.('error', `the hub did not stop cleanly: ${(e as Error).message}`);
    }
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** True for "address in use" anywhere in the error's cause chain. */
export function isPortInUse(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const err = cur as { code?: unknown; message?: unknown; cause?: unknown };
    if (err.code === 'EADDRINUSE') return true;
    if (typeof err.message === 'string' && /EADDRINUSE|address already in use|port \d+ is (already )?in use/i.test(err.message)) return true;
    cur = err.cause;
  }
  return false;
}
