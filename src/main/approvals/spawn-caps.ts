/**
 * Caps on spawning, checked before an agent is built:
 * - agents in total (the spawn registry), whoever asks — a person too: a new name past the cap is
 *   refused (`too_many_agents`, REST 409); replacing an agent of a taken name is not a new one;
 * - spawns per minute by one parent — the LLM's actor (main for `<spawn>` blocks and the writer,
 *   the planner) or the agent that asks the catalog or the planner — in a sliding 60 s window
 *   (`rate_limited`, REST 429 with Retry-After). A person is not counted: their scripts and the
 *   dashboard may create many agents, and they are the one who approves anyway.
 * In the attack that motivated it, one agent spawned 40 more through the catalog.
 */
import type { Asker } from '../../shared/approvals.js';

export type CapKind = 'too_many_agents' | 'rate_limited';

export class SpawnRefusedError extends Error {
  override name = 'SpawnRefusedError';
  constructor(
    readonly kind: CapKind,
    message: string,
    readonly detail: { limit: number; count: number; retry_after_s?: number; parent?: string },
  ) {
    super(message);
  }
}

const WINDOW_MS = 60_000;

export class SpawnCaps {
  /** Parent → times of its spawns in the window, oldest first. */
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly caps: { maxAgents: number; spawnsPerMinute: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws SpawnRefusedError when this spawn would pass a cap. `registered`: agents in the registry now. */
  check(asker: Asker, registered: number, newName: boolean): void {
    if (newName && registered >= this.caps.maxAgents) {
      throw new SpawnRefusedError('too_many_agents', `the hub has ${registered} agents, its cap (WACTORZ_MAX_AGENTS=${this.caps.maxAgents}); delete one or raise the cap`, {
        limit: this.caps.maxAgents,
        count: registered,
      });
    }
    if (asker.kind === 'person') return;
    const times = this.window(asker.name);
    if (times.length >= this.caps.spawnsPerMinute) {
      const retry = Math.max(1, Math.ceil((times[0]! + WINDOW_MS - this.now()) / 1000));
      throw new SpawnRefusedError(
        'rate_limited',
        `${asker.name} spawned ${times.length} agents within a minute, the cap (WACTORZ_SPAWNS_PER_MINUTE=${this.caps.spawnsPerMinute}); try again in ${retry} s`,
        { limit: this.caps.spawnsPerMinute, count: times.length, retry_after_s: retry, parent: asker.name },
      );
    }
  }

  /** Counts a spawn that happened. */
  record(asker: Asker): void {
    if (asker.kind === 'person') return;
    const times = this.window(asker.name);
    times.push(this.now());
    this.recent.set(asker.name, times);
  }

  private window(parent: string): number[] {
    const since = this.now() - WINDOW_MS;
    const times = (this.recent.get(parent) ?? []).filter((t) => t > since);
    if (times.length) this.recent.set(parent, times);
    else this.recent.delete(parent);
    return times;
  }
}
