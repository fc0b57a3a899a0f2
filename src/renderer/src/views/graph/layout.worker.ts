/**
 * The graph layout's worker (bundled by Vite as a module worker): dagre runs here, off the page's
 * main thread, so laying out hundreds of agents never costs a frame. Requests and answers are
 * checked (layout-client.ts): `{id, input}` → `{id, result}` or `{id, error}`.
 */
import { layoutGraph } from './graph-layout.js';
import { layoutRequestSchema } from './layout-protocol.js';

const scope = globalThis as unknown as { addEventListener(t: 'message', l: (e: { data: unknown }) => void): void; postMessage(m: unknown): void };
scope.addEventListener('message', (e) => {
  const r = layoutRequestSchema.safeParse(e.data);
  if (!r.success) return;
  try {
    scope.postMessage({ id: r.data.id, result: layoutGraph(r.data.input) });
  } catch (err) {
    scope.postMessage({ id: r.data.id, error: String((err as Error).message ?? err) });
  }
});
