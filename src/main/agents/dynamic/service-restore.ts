/**
 * The DynamicAgent service's restore: which registered agents come back at a start (not those
 * running already, nor those placed on nodes when the node registry is wired — it brings those back
 * itself), each under its name's lock and as the registry has it by then (it may have been deleted
 * or redeployed meanwhile), how long a caller waits for it, and how often progress is reported.
 * How the agents are queued, windowed and asked for first is restore-queue.ts.
 *
 * Progress goes to `onRestoreProgress` at most every `restoreProgressMs` (a restore of thousands
 * changes it thousands of times; the dashboard needs a few a second), and always the final one.
 */
import type { Actor } from '../../core/actor.js';
import type { ActorSystem } from '../../core/actor-system.js';
import type { SpawnEntry, SpawnRegistry } from '../../persistence/stores/spawn-registry.js';
import type { RestoreProgress } from '../../../shared/mqtt-payloads.js';
import type { NameLocks } from './name-locks.js';
import { RestoreQueue, type RestoreOutcome, type RestoreReport } from './restore-queue.js';
import type { DynamicAgentServiceOptions } from './service-types.js';

export interface ServiceRestoreDeps {
  system: ActorSystem;
  registry: SpawnRegistry;
  opts: Pick<DynamicAgentServiceOptions, 'nodes' | 'restoreConcurrency' | 'restoreWaitMs' | 'onRestoreProgress' | 'restoreProgressMs'>;
  locks: NameLocks;
  /** Starts a registry entry supervised, by its spawn type. */
  spawnEntry(entry: SpawnEntry): Promise<Actor>;
  log(level: 'info' | 'warning', message: string): void;
}

export class ServiceRestore {
  /** The restore under way, and what the last one came to. */
  private restoring: RestoreQueue | undefined;
  private lastProgress: RestoreProgress | undefined;
  private progressSentAt = 0;
  private progressTimer: NodeJS.Timeout | undefined;

  constructor(private readonly d: ServiceRestoreDeps) {}

  /** See DynamicAgentService.restore. */
  async restore(): Promise<RestoreReport> {
    while (this.restoring) await this.restoring.finished;
    const { system, registry, opts } = this.d;
    const t0 = Date.now();
    const names = registry
      .list()
      .filter((entry) => !(entry.node && opts.nodes) && !this.isUp(entry.name))
      .map((entry) => entry.name);
    const queue = new RestoreQueue(names, {
      start: (name) => this.restoreOne(name),
      concurrency: opts.restoreConcurrency,
      onProgress: (p) => this.reportProgress(p),
    });
    this.restoring = queue;
    const offResolver = names.length ? system.addRemote(queue.resolver(system)) : undefined;
    const finished = queue.run().finally(() => {
      offResolver?.();
      if (this.restoring === queue) this.restoring = undefined;
      const r = queue.report();
      if (r.restored.length) this.d.log('info', `restored ${r.restored.length} agent(s) from the spawn registry in ${Date.now() - t0} ms${r.restored.length <= 20 ? `: ${r.restored.join(', ')}` : ''}`);
      for (const f of r.failed) this.d.log('warning', `could not restore ${f.name}: ${f.error}`);
    });
    const waitMs = opts.restoreWaitMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
    const report = queue.report();
    if (report.pending.length) this.d.log('warning', `${report.pending.length} agent(s) still starting after ${waitMs} ms (they come up on their own)${report.pending.length <= 20 ? `: ${report.pending.join(', ')}` : ''}`);
    return report;
  }

  /** How far the last restore is (a restore with nothing to do when none ran). */
  progress(): RestoreProgress {
    if (this.restoring) return this.restoring.progress();
    if (this.lastProgress) return this.lastProgress;
    const now = Date.now() / 1000;
    return { state: 'done', total: 0, restored: 0, failed: 0, pending: 0, started_at: now, finished_at: now, timestamp: now };
  }

  /** Starts nothing more from the restore under way (hub shutdown): what waits comes back at the next start. */
  stop(): void {
    this.restoring?.stop();
  }

  /** stop(), and no progress report is sent after it. */
  close(): void {
    this.stop();
    clearTimeout(this.progressTimer);
  }

  private isUp(name: string): boolean {
    const running = this.d.system.get(name);
    return Boolean(running && running.state !== 'stopped' && running.state !== 'failed');
  }

  /** One agent of a restore, under its name's lock, from the registry as it is now (it may have been deleted or redeployed meanwhile). */
  private restoreOne(name: string): Promise<RestoreOutcome> {
    return this.d.locks.run(name, async () => {
      const entry = this.d.registry.get(name);
      if (!entry || this.isUp(name) || (entry.node && this.d.opts.nodes)) return 'skipped';
      if (entry.node) throw new Error(`it runs on node "${entry.node}" (remote nodes are not wired in this hub)`);
      const actor = await this.d.spawnEntry(entry);
      if (actor.state === 'failed') throw new Error('it crashed while starting (see its logs)');
      return 'restored';
    });
  }

  /** Progress to `onRestoreProgress`: at most every `restoreProgressMs`, and always the final one. */
  private reportProgress(p: RestoreProgress): void {
    this.lastProgress = p;
    const send = this.d.opts.onRestoreProgress;
    if (!send) return;
    const every = this.d.opts.restoreProgressMs ?? 250;
    const now = Date.now();
    if (p.state === 'done' || now - this.progressSentAt >= every) {
      clearTimeout(this.progressTimer);
      this.progressTimer = undefined;
      this.progressSentAt = now;
      send(p);
    } else if (!this.progressTimer) {
      this.progressTimer = setTimeout(() => {
        this.progressTimer = undefined;
        this.progressSentAt = Date.now();
        send(this.progress());
      }, every - (now - this.progressSentAt));
      this.progressTimer.unref();
    }
  }
}
