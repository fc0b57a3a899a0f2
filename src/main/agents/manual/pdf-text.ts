/**
 * PDF text, off the hub's thread: every extraction runs in a worker thread of its own
 * (worker/pdf-text-worker.mjs, pdf.js inside). pdf.js in Node parses in the calling thread and only
 * ever waits on promises — measured in the hub's thread, a 150-page manual held every timer and
 * socket for ~0.9 s — and it installs globals (navigator, self, DOMMatrix, core-js's Iterator) the
 * hub's other libraries should not see. In a worker neither matters, and the work is bounded: a heap
 * cap, and the worker is terminated at the load's deadline (a PDF that never finishes costs nothing).
 *
 * The worker file sits in `worker/` next to this module; a bundled build copies that folder next to
 * the bundle (as the sandbox's worker; unpacked from the asar in the desktop app), so the same
 * relative path finds it — WACTORZ_PDF_WORKER overrides it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface PdfText {
  /** Pages in the document. */
  pages: number;
  /** Text of the pages kept (index 0 = page 1), whitespace collapsed. */
  texts: string[];
  /** True when pages or characters were left out for the caps (or the deadline). */
  truncated: boolean;
}

export interface PdfCaps {
  maxPages: number;
  maxChars: number;
  /** Epoch ms: no page is started after it, and the worker is stopped a little later. */
  until?: number | undefined;
}

/** The bytes are not a readable PDF, or reading them failed or took too long. */
export class PdfTextError extends Error {
  override name = 'PdfTextError';
}

/** Heap of one extraction's worker, MB. */
const HEAP_MB = 512;
/** Without a deadline from the caller. */
const DEFAULT_SECONDS = 60;
/** After the deadline, the worker still gets this long to hand back the pages it read. */
const GRACE_MS = 5_000;

function workerFile(): string {
  const file = process.env.WACTORZ_PDF_WORKER ?? fileURLToPath(new URL('./worker/pdf-text-worker.mjs', import.meta.url)).replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
  if (!existsSync(file)) throw new PdfTextError(`the PDF text worker is missing at ${file}: a bundled build must copy src/main/agents/manual/worker/ next to the bundle (or set WACTORZ_PDF_WORKER)`);
  return file;
}

type Reply = { ok: true; result: PdfText } | { ok: false; pdf: boolean; error: string };

/** Extracts the text of `bytes` (a whole PDF) in a worker thread. Throws PdfTextError when it is not a readable PDF or takes too long. */
export async function extractPdfText(bytes: Uint8Array, caps: PdfCaps): Promise<PdfText> {
  const until = caps.until ?? Date.now() + DEFAULT_SECONDS * 1000;
  const worker = new Worker(workerFile(), { resourceLimits: { maxOldGenerationSizeMb: HEAP_MB }, stdout: false, stderr: false });
  return new Promise<PdfText>((resolve, reject) => {
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
      void worker.terminate();
    };
    const timer = setTimeout(() => finish(() => reject(new PdfTextError('text extraction did not finish in time'))), Math.max(0, until - Date.now()) + GRACE_MS);
    worker.once('message', (reply: Reply) => finish(() => (reply.ok ? resolve(reply.result) : reject(new PdfTextError(reply.pdf ? reply.error : `text extraction failed: ${reply.error}`)))));
    worker.once('error', (e) => finish(() => reject(new PdfTextError(`text extraction failed: ${e.message}`))));
    worker.once('exit', (code) => finish(() => reject(new PdfTextError(`text extraction stopped (worker exit ${code})`))));
    const copy = new Uint8Array(bytes); // its buffer moves to the worker
    worker.postMessage({ bytes: copy, caps: { maxPages: caps.maxPages, maxChars: caps.maxChars, until } }, [copy.buffer]);
  });
}
