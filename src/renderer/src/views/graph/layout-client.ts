/**
 * Asks for a layout: in the layout worker where the page can start one (dagre at 200+ agents is
 * tens of milliseconds — a dropped frame or two on the main thread), inline otherwise (Node tests,
 * a page opened from a file). The last answer is cached by its key: states and rates changing
 * never lay anything out again, and an answer to an older request than the newest is dropped.
 */
import { layoutGraph, layoutKey, type LayoutInput, type LayoutResult } from './graph-layout.js';
import { layoutAnswerSchema } from './layout-protocol.js';

interface WorkerLike {
  postMessage(m: unknown): void;
  addEventListener(t: 'message' | 'error', l: (e: { data: unknown }) => void): void;
}

let worker: WorkerLike | null | undefined;
let nextId = 0;
const waiting = new Map<number, (r: LayoutResult | null) => void>();
let cache: { key: string; result: LayoutResult } | null = null;

function startWorker(): WorkerLike | null {
  if (typeof Worker !== 'function') return null;
  try {
    const w = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module', name: 'wactorz-layout' }) as unknown as WorkerLike;
    w.addEventListener('message', (e) => {
      const a = layoutAnswerSchema.safeParse(e.data);
      if (!a.success) return;
      const done = waiting.get(a.data.id);
      waiting.delete(a.data.id);
      done?.('result' in a.data ? a.data.result : null);
    });
    w.addEventListener('error', () => {
      // The worker could not start (a file:// page, a strict CSP): lay out inline from now on.
      worker = null;
      for (const [, done] of waiting) done(null);
      waiting.clear();
    });
    return w;
  } catch {
    return null;
  }
}

/** The layout for `input` (cached by key); null when a newer request superseded this one. */
export async function requestLayout(input: LayoutInput): Promise<LayoutResult | null> {
  const key = layoutKey(input);
  if (cache?.key === key) return cache.result;
  if (worker === undefined) worker = startWorker();
  const id = ++nextId;
  let result: LayoutResult | null = null;
  if (worker) {
    result = await new Promise<LayoutResult | null>((resolve) => {
      waiting.set(id, resolve);
      worker!.postMessage({ id, input });
    });
  }
  if (id !== nextId) return null;
  result ??= layoutGraph(input);
  cache = { key, result };
  return result;
}
