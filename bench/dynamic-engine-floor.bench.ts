/**
 * dynamic-engine-floor: the spike behind "many agents per worker" (docs/dynamic-agent-isolation.md).
 * N QuickJS engines in ONE thread, each a separate WebAssembly instance of the one compiled module
 * with its own `WebAssembly.Memory` (hence its own hard memory cap), a QuickJS runtime + context,
 * and the bench handler loaded as a module. Prints, for N = 100 and 300 (1000 with
 * `WZ_FLOOR_1000=1`): RSS and V8 heap per engine, boot time per engine (p50/mean), with the
 * module's declared 16 MB initial memory and with the 6 MB the pool uses (the build only needs
 * its 5.3 MB stack + data below the heap), and the breakdown of the floor (instance alone, +
 * runtime/context, + code). Baseline: the 1 MB per idle agent target; the per-worker engine it
 * replaces cost 6.2–7.7 MB.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import { engineWasmBytes } from '../src/main/agents/dynamic/sandbox/quickjs-assets.js';
import { fmt, gc, median } from './dynamic-bench-support.js';

const require = createRequire(import.meta.url);
const variantModule = require('@jitl/quickjs-wasmfile-release-sync') as { default?: unknown };
const variant = (variantModule.default ?? variantModule) as QuickJSSyncVariant;
/** The global WebAssembly object (Node's types for lib ES2023 declare only its types). */
const Wasm = (globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<WebAssembly.Module>; Memory: new (d: { initial: number; maximum: number }) => object } }).WebAssembly;
const AGENT = `export async function handleTask(agent, payload) { return { sum: payload.a + payload.b }; }`;
const MB = 1024 * 1024;

type Stage = 'instance' | 'context' | 'code';

async function engineSet(initialPages: number, stage: Stage): Promise<(n: number) => Promise<{ rss: number; heap: number; p50: number; mean: number }>> {
  const bytes = initialPages === 256 ? readFileSync(require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')) : await engineWasmBytes(initialPages);
  const wasmModule = await Wasm.compile(bytes);
  const keep: unknown[] = [];
  const boot = async (): Promise<void> => {
    const wasmMemory = new Wasm.Memory({ initial: initialPages, maximum: 1024 });
    const qjs: QuickJSWASMModule = await newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmModule, wasmMemory }));
    if (stage === 'instance') return void keep.push(qjs);
    const rt = qjs.newRuntime();
    const ctx = rt.newContext();
    if (stage === 'code') ctx.unwrapResult(ctx.evalCode(AGENT, 'agent.js', { type: 'module' })).dispose();
    keep.push([qjs, rt, ctx]);
  };
  await boot();
  return async (n) => {
    gc?.();
    const m0 = process.memoryUsage();
    const times: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await boot();
      times.push(performance.now() - t);
    }
    const mean = (performance.now() - t0) / n;
    await new Promise((r) => setTimeout(r, 200));
    gc?.();
    const m1 = process.memoryUsage();
    return { rss: (m1.rss - m0.rss) / n / MB, heap: (m1.heapUsed - m0.heapUsed) / n / MB, p50: median(times), mean };
  };
}

// Each configuration runs in a fresh process: RSS freed by one set would hide the next one's growth.
const arg = process.argv[2];
if (arg) {
  const [pages, stage, n] = arg.split(':');
  const r = await (await engineSet(Number(pages), stage as Stage))(Number(n));
  process.stdout.write(JSON.stringify(r));
} else {
  const run = (pages: number, stage: Stage, n: number): { rss: number; heap: number; p50: number; mean: number } => {
    const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), `${pages}:${stage}:${n}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(out) as { rss: number; heap: number; p50: number; mean: number };
  };
  const sizes = [100, 300, ...(process.env.WZ_FLOOR_1000 ? [1000] : [])];
  for (const pages of [256, 96]) {
    for (const n of sizes) {
      const r = run(pages, 'code', n);
      process.stderr.write(`${n} engines, ${(pages * 64) / 1024} MB initial memory: RSS ${fmt(r.rss)} MB/engine, V8 heap ${fmt(r.heap)} MB/engine, boot p50 ${fmt(r.p50)} ms mean ${fmt(r.mean)} ms\n`);
      console.log(`BENCH dynamic-engine-floor-${n}${pages === 256 ? '-16mb' : ''} ${fmt(r.rss)} MB baseline=1 ratio=${fmt(r.rss)}`);
      console.log(`BENCH dynamic-engine-boot-${n}${pages === 256 ? '-16mb' : ''} ${fmt(r.mean)} ms baseline=${fmt(r.p50)} ratio=${fmt(r.mean / r.p50)}`);
    }
  }
  for (const stage of ['instance', 'context', 'code'] as const) {
    const r = run(96, stage, 300);
    process.stderr.write(`floor at 300 engines, ${stage}: RSS ${fmt(r.rss)} MB/engine (V8 heap ${fmt(r.heap)})\n`);
  }
}
