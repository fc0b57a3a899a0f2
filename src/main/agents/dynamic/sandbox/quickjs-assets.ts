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

/**
 * The engine's initial linear memory, in 64 KB pages. The build declares 256 (16 MB), but only needs
 * its static data (87 KB) and its 5 MB stack below the heap; V8 counts a memory's committed size as
 * external memory and garbage-collects every ~64 MB of it, so with hundreds of engines in one worker
 * 16 MB each made booting 2–3× slower (docs/dynamic-agent-isolation.md, "Many agents per worker").
 * Untouched pages cost no RSS either way.
 */
export const ENGINE_INITIAL_PAGES = 96;

/**
 * The engine's wasm bytes with the memory import's minimum set to `initialPages` (rewritten in place
 * as a padded LEB128 of the same length; refused if the build's stack/data would not fit).
 */
export async function engineWasmBytes(initialPages: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(await readFile(require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')));
  let p = 8;
  const leb = (): number => {
    let r = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[p++]!;
      r += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return r;
  };
  const skipName = (): void => {
    const n = leb();
    p += n;
  };
  let memoryMin: { at: number; length: number } | undefined;
  let stackTop = 0;
  while (p < bytes.length) {
    const id = bytes[p++]!;
    const size = leb();
    const end = p + size;
    if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        skipName();
        skipName();
        const kind = bytes[p++]!;
        if (kind === 0) leb();
        else if (kind === 1 || kind === 2) {
          if (kind === 1) p++;
          const flags = bytes[p++]!;
          const at = p;
          leb();
          if (kind === 2) memoryMin = { at, length: p - at };
          if (flags & 1) leb();
        } else if (kind === 3) p += 2;
      }
    } else if (id === 6 && bytes[p] && bytes[p + 3] === 0x41) {
      // The first global is emscripten's stack pointer: i32.const <top of the stack>.
      p += 4;
      stackTop = leb();
    }
    p = end;
  }
  if (!memoryMin) throw new Error('the QuickJS wasm build has no memory import');
  if (initialPages * 65_536 < stackTop + 65_536) throw new Error(`the engine needs at least ${Math.ceil(stackTop / 65_536) + 1} initial pages`);
  if (initialPages >= 2 ** (7 * memoryMin.length)) throw new Error('initial pages do not fit the import');
  for (let i = 0; i < memoryMin.length; i++) {
    const last = i === memoryMin.length - 1;
    bytes[memoryMin.at + i] = ((initialPages >> (7 * i)) & 0x7f) | (last ? 0 : 0x80);
  }
  return bytes;
}

export function sandboxAssets(): Promise<SandboxAssets> {
  assets ??= (async () => {
    const file = workerFile();
    if (!existsSync(file)) {
      throw new Error(`the DynamicAgent sandbox worker is missing at ${file}: a bundled build must copy src/main/agents/dynamic/sandbox/worker/ next to the bundle (or set WACTORZ_SANDBOX_WORKER)`);
    }
    const wasmModule = await wasm.compile(await engineWasmBytes(ENGINE_INITIAL_PAGES));
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
