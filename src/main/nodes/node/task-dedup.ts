/**
 * Tasks by name are QoS 1 (at least once) and senders retry: the same `task_id` can arrive more
 * than once. The first delivery runs the task; later ones (while it runs or after) get the same
 * outcome, so a counter counts once. Kept in memory, bounded: a redelivery is seconds late, and a
 * node that restarts has lost the broker session's in-flight messages anyway (the sender retries
 * with a fresh run, which is the documented limit).
 */
export interface TaskOutcome {
  ok: boolean;
  result?: unknown;
  error?: { error: string; kind?: string };
}

export class TaskDedup {
  private readonly seen = new Map<string, { outcome: Promise<TaskOutcome>; at: number }>();

  constructor(
    private readonly maxEntries = 20_000,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  /** The outcome of `taskId`: `run()`'s, started now, or the one already started for that id. */
  run(taskId: string | undefined, run: () => Promise<TaskOutcome>): { outcome: Promise<TaskOutcome>; duplicate: boolean } {
    if (taskId === undefined) return { outcome: run(), duplicate: false };
    const now = Date.now();
    const hit = this.seen.get(taskId);
    if (hit && now - hit.at < this.ttlMs) return { outcome: hit.outcome, duplicate: true };
    const outcome = run();
    this.seen.delete(taskId);
    this.seen.set(taskId, { outcome, at: now });
    this.evict(now);
    return { outcome, duplicate: false };
  }

  get size(): number {
    return this.seen.size;
  }

  private evict(now: number): void {
    // Insertion order is age order: drop from the front.
    for (const [id, e] of this.seen) {
      if (this.seen.size <= this.maxEntries && now - e.at < this.ttlMs) break;
      this.seen.delete(id);
    }
  }
}
