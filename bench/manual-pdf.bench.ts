/**
 * manual-pdf: what extracting a manual's text costs the hub's own thread. The manual agent runs
 * pdf.js in a worker thread per extraction (src/main/agents/manual/pdf-text.ts); the baseline is
 * the same extraction in this thread (the worker module's `extract`), as pdf.js does in Node by
 * default. A 5 ms timer measures the longest stretch the thread could not run anything.
 *
 *  - `manual-pdf-loop-gap`: longest event-loop gap (ms) during one extraction of a 150-page PDF
 *    (≈ 450 k characters), worker vs in-thread (lower is better; the ratio is worker / in-thread).
 *  - `manual-pdf-extract`: wall time of that extraction (ms), worker (with its start) vs in-thread.
 *
 * The worker runs first: importing pdf.js in this thread installs its globals for good.
 */
import { fileURLToPath } from 'node:url';
import { extractPdfText } from '../src/main/agents/manual/pdf-text.js';
import { makePdf } from '../src/main/agents/manual/testing/manual-web.js';

const PAGES = 150;
const RUNS = 3;

type Extract = (bytes: Uint8Array, caps: { maxPages: number; maxChars: number; until: number }) => Promise<{ texts: string[] }>;

async function measure(run: () => Promise<unknown>): Promise<{ gap: number; ms: number }> {
  let last = performance.now();
  let gap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
  }, 5);
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  clearInterval(timer);
  gap = Math.max(gap, performance.now() - last);
  return { gap, ms };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const para = 'Descaling the machine: fill the water tank with the descaling solution and press the descale button. '.repeat(30);
  const pdf = await makePdf(Array.from({ length: PAGES }, (_, i) => `Page ${i + 1}. ${para}`));
  const caps = { maxPages: PAGES, maxChars: 10_000_000 };
  const worker: { gap: number; ms: number }[] = [];
  for (let i = 0; i < RUNS; i++) worker.push(await measure(() => extractPdfText(pdf, caps)));
  const file = fileURLToPath(new URL('../src/main/agents/manual/worker/pdf-text-worker.mjs', import.meta.url));
  const { extract } = (await import(file)) as { extract: Extract };
  await extract(new Uint8Array(pdf), { ...caps, until: Date.now() + 60_000 }); // warm-up: pdf.js loaded
  const inThread: { gap: number; ms: number }[] = [];
  for (let i = 0; i < RUNS; i++) inThread.push(await measure(() => extract(new Uint8Array(pdf), { ...caps, until: Date.now() + 60_000 })));
  const line = (name: string, v: number, b: number): string => `BENCH ${name} ${v.toFixed(1)} ms baseline=${b.toFixed(1)} ratio=${(v / b).toFixed(2)}`;
  const gap = median(worker.map((r) => r.gap));
  const gapBase = median(inThread.map((r) => r.gap));
  process.stdout.write(`${line('manual-pdf-loop-gap', gap, gapBase)}\n${line('manual-pdf-extract', median(worker.map((r) => r.ms)), median(inThread.map((r) => r.ms)))}\n`);
}

await main();
