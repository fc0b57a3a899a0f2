/**
 * Where the worker and the QuickJS engine live, and the engine's WebAssembly module compiled once
 * per process (every agent's worker instantiates the same compiled module: no per-agent compile).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export interface SandboxAssets {
  /** The worker entry (plain JavaScript; see worker/sandbox-worker.mjs). */
  workerFile: string;
  quickjsCore: string;
  quickjsVariant: string;
  wasmModule: WebAssembly.Module;
}

let assets: Promise<SandboxAssets> | undefined;

/** The global WebAssembly object (Node's types for lib ES2023 declare only its types, not the value). */
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } }).WebAssembly;

/**
 * The worker file sits next to this module in the source tree. A bundled build that moves this
 * code must copy `worker/` along and point WACTORZ_SANDBOX_WORKER at the copied entry.
 */
function workerFile(): string {
  return process.env.WACTORZ_SANDBOX_WORKER ?? fileURLToPath(new URL('./worker/sandbox-worker.mjs', import.meta.url));
}

export function sandboxAssets(): Promise<SandboxAssets> {
  assets ??= (async () => {
    const file = workerFile();
    if (!existsSync(file)) {
      throw new Error(`the DynamicAgent sandbox worker is missing at ${file}: a bundled build must copy src/main/agents/dynamic/sandbox/worker/ next to the bundle (or set WACTORZ_SANDBOX_WORKER)`);
    }
    const wasmPath = require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm');
    const wasmModule = await wasm.compile(await readFile(wasmPath));
    return {
      workerFile: file,
      quickjsCore: require.resolve('quickjs-emscripten-core'),
      quickjsVariant: require.resolve('@jitl/quickjs-wasmfile-release-sync'),
      wasmModule,
    };
  })();
  assets.catch(() => {
    assets = undefined;
  });
  return assets;
}
