/**
 * Keeps the LLM bill across restarts: the CostTracker's snapshot (per agent and in total) is saved
 * in the durable tier (SQLite) a moment after every change, and restored at start — the original
 * persisted each agent's `_final_cost` for the same reason. Saves are coalesced (one write per
 * `debounceMs`, however many calls), and close() writes what is pending before persistence closes.
 */
import type { Persistence } from '../persistence/persistence.js';
import type { CostSnapshot, CostTracker } from './cost-tracker.js';

const OWNER = 'hub';
const KEY = 'durable:llm_costs';

export interface CostStore {
  /** Writes the current totals now (and cancels a pending write). */
  flush(): Promise<void>;
  /** Flushes and stops listening. */
  close(): Promise<void>;
}

export async function openCostStore(
  costs: CostTracker,
  persistence: Persistence,
  opts: { debounceMs?: number; log?: (level: 'warning', message: string) => void } = {},
): Promise<CostStore> {
  const saved = await persistence.recall<CostSnapshot>(OWNER, KEY);
  if (saved && typeof saved === 'object' && saved.total && saved.agents) costs.restore(saved);
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const write = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    writing = writing.then(() =>
      persistence.persist(OWNER, KEY, costs.snapshot()).catch((e: unknown) => opts.log?.('warning', `could not save the LLM cost totals: ${(e as Error).message}`)),
    );
    return writing;
  };
  const off = costs.onChange(() => {
    if (timer) return;
    timer = setTimeout(() => void write(), opts.debounceMs ?? 1000);
    timer.unref();
  });
  return {
    flush: write,
    close: async () => {
      off();
      if (timer) await write();
      await writing;
    },
  };
}
