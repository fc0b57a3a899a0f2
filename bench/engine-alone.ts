/**
 * One DynamicAgent engine (sandbox/worker/engine.mjs) driven on the calling thread, the way a
 * dedicated sandbox worker drives it, with no thread, actor or bus around it: each call is one
 * `calls` message in the form the hub sends a lone call, run through the engine's turns to its
 * `results`. For dynamic-task's one-at-a-time figures: what the engine alone costs per call, which
 * no placement of it (a worker, or the hub's own thread) can undercut.
 */
import { createRequire } from 'node:module';
import { ENGINE_INITIAL_PAGES, sandboxAssets } from '../src/main/agents/dynamic/sandbox/quickjs-assets.js';
// @ts-expect-error plain JavaScript (the worker's own file), typed by its JSDoc only
import { bootEngine, Engine, engineMemory } from '../src/main/agents/dynamic/sandbox/worker/engine.mjs';

const require = createRequire(import.meta.url);
const MEMORY_MB = 64;
const CALL_TIMEOUT_MS = 30_000;

interface EngineMessage {
  t: string;
  ids?: string;
  st?: string;
  json?: string;
}

export interface EngineAlone {
  /** handleTask(payload), run to its result; throws (with what the engine said) unless it answered with a value. */
  call(payload: unknown): unknown;
  close(): void;
}

export async function engineAlone(code: string): Promise<EngineAlone> {
  const assets = await sandboxAssets();
  const core = require(assets.quickjsCore) as unknown;
  const variantModule = require(assets.quickjsVariant) as { default?: unknown };
  const out: EngineMessage[] = [];
  // A dedicated worker's scheduler: no CPU slices, so turns end only when the work does.
  const sched = {
    shouldYield: () => false,
    yieldAt: () => 0,
    callsPerTurn: 64,
    hardEnd: () => Infinity,
    readEnd: () => Infinity,
    ready: () => undefined,
    direct: (_engine: unknown, msg: EngineMessage) => void out.push(msg),
  };
  const engine = new Engine(1, sched, false);
  engine.adopt(await bootEngine(core, variantModule.default ?? variantModule, assets.wasmModule, engineMemory(ENGINE_INITIAL_PAGES, MEMORY_MB)));
  const run = (msg: object): EngineMessage[] => {
    engine.enqueue(msg);
    while (engine.turn());
    return out.splice(0);
  };
  const meta = { name: 'engine-alone', actorId: 'engine-alone', state: {}, env: {} };
  const loaded = run({ t: 'load', code, modules: {}, meta, callTimeoutMs: CALL_TIMEOUT_MS });
  if (loaded[0]?.t !== 'loaded') throw new Error(`the engine did not load the agent: ${JSON.stringify(loaded)}`);
  let nextId = 1;
  return {
    call(payload) {
      const id = nextId++;
      const msgs = run({ t: 'calls', a: 1, list: [[id, 'handleTask']], one: JSON.stringify(payload) });
      const r = msgs.find((m) => m.t === 'results');
      if (!r || r.ids !== String(id) || r.st !== '1') throw new Error(`call ${id} did not answer: ${JSON.stringify(msgs)}`);
      return (JSON.parse(r.json ?? '[]') as unknown[])[0];
    },
    close: () => engine.dispose(),
  };
}
