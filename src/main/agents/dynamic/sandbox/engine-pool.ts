/**
 * Engine workers, and one spare booted ahead of need: starting a worker thread and instantiating
 * QuickJS is most of a spawn (≈ 30 ms on an idle machine), and it does not depend on the agent —
 * only on its memory cap, fixed when the engine's linear memory is created. So a spawn with the
 * default cap takes the spare (then loading the code is ~1 ms) and a new spare boots behind it.
 * The spare costs one idle engine (≈ 6–9 MB) for the whole hub; `configureEnginePool({ spares: 0 })`
 * turns it off.
 */
import { Worker } from 'node:worker_threads';
import { sandboxAssets, type SandboxAssets } from './quickjs-assets.js';
import { DEFAULT_LIMITS } from './types.js';

let spareCount = 1;
const spares: { memoryMb: number; worker: Worker; dead: boolean }[] = [];

export function configureEnginePool(opts: { spares: number }): void {
  spareCount = Math.max(0, Math.floor(opts.spares));
  while (spares.length > spareCount) void spares.pop()?.worker.terminate();
}

/** Terminates the spare engines (at hub shutdown; they do not keep the process alive anyway). */
export async function closeEnginePool(): Promise<void> {
  await Promise.all(spares.splice(0).map((s) => s.worker.terminate()));
}

/** A booting-or-ready engine worker with this memory cap, owned by the caller from now on. */
export async function takeEngineWorker(memoryMb: number): Promise<Worker> {
  const assets = await sandboxAssets();
  const i = spares.findIndex((s) => s.memoryMb === memoryMb && !s.dead);
  const taken = i >= 0 ? spares.splice(i, 1)[0]!.worker : undefined;
  if (taken) {
    taken.ref();
    taken.removeAllListeners('error');
    taken.removeAllListeners('exit');
  }
  refill(assets);
  return taken ?? bootEngine(assets, memoryMb);
}

function refill(assets: SandboxAssets): void {
  for (let i = spares.length; i < spareCount; i++) {
    const spare = { memoryMb: DEFAULT_LIMITS.memoryMb, worker: bootEngine(assets, DEFAULT_LIMITS.memoryMb), dead: false };
    // An idle spare must not keep the process alive, and one that died is not handed out.
    spare.worker.unref();
    spare.worker.once('error', () => (spare.dead = true));
    spare.worker.once('exit', () => (spare.dead = true));
    spares.push(spare);
  }
}

function bootEngine(assets: SandboxAssets, memoryMb: number): Worker {
  const worker = new Worker(assets.workerFile, {
    workerData: { quickjsCore: assets.quickjsCore, quickjsVariant: assets.quickjsVariant, wasmModule: assets.wasmModule, memoryMb },
    // The worker's own heap only carries messages in transit; the agent's heap is the engine's
    // linear memory (capped by memoryMb). No environment.
    resourceLimits: { maxOldGenerationSizeMb: Math.max(32, memoryMb), maxYoungGenerationSizeMb: 4, stackSizeMb: 8 },
    env: {},
    // Plain JavaScript: no loader of the hub's (tsx, vitest) needs to follow it into the worker.
    execArgv: [],
    // The engine prints nothing; an emscripten abort message goes to the hub's stderr. (Piped
    // stdio would hold a port that keeps the process alive even for an unref'd spare.)
    stdout: false,
    stderr: false,
    name: 'wactorz-agent-engine',
  });
  return worker;
}
