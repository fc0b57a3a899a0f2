// @ts-check
/**
 * The PDF text worker: one extraction per worker thread. pdf-text.ts starts it, sends
 * `{bytes, caps: {maxPages, maxChars, until}}` and terminates it when it answers or at the deadline;
 * it answers `{ok: true, result: {pages, texts, truncated}}` or `{ok: false, pdf, error}` (`pdf`: the
 * bytes are not a readable PDF). pdf.js's CPU time and its globals (navigator, self, DOMMatrix,
 * core-js's Iterator) stay in this thread.
 *
 * pdf.js (pdfjs-dist, the legacy build for Node: no canvas, no DOM) runs with `isEvalSupported:
 * false` (no code generated from a document's fonts: a hostile PDF is data, nothing more) and
 * without font faces or system fonts. Bounded like the original (it extracts the first 80 pages): at
 * most `maxPages` pages and `maxChars` characters, no page started after `until`; the page count
 * reported is the document's.
 *
 * Plain JavaScript on purpose (as the sandbox's worker): a worker is started from a file, and this
 * one must load the same way under vitest, tsx and a bundled build (copy this folder next to the
 * bundle: scripts/build-headless.mjs and electron.vite.config.ts do).
 */
import { parentPort } from 'node:worker_threads';

class NotAPdf extends Error {}

/**
 * The extraction itself, in the calling thread (exported for the bench's in-thread baseline).
 * @param {Uint8Array} bytes
 * @param {{maxPages: number, maxChars: number, until: number}} caps
 * @returns {Promise<{pages: number, texts: string[], truncated: boolean}>}
 */
export async function extract(bytes, caps) {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({ data: bytes, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0, stopAtErrors: false });
  let doc;
  try {
    doc = await task.promise;
  } catch (e) {
    await task.destroy().catch(() => {});
    throw new NotAPdf(`not a readable PDF (${e instanceof Error ? e.message : String(e)})`);
  }
  /** @type {string[]} */
  const texts = [];
  let chars = 0;
  let truncated = doc.numPages > caps.maxPages;
  for (let n = 1; n <= Math.min(doc.numPages, caps.maxPages); n++) {
    if (Date.now() > caps.until && texts.length > 0) {
      truncated = true; // the load's time is up: keep what was read
      break;
    }
    let text = '';
    try {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      text = content.items
        .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : ''))
        .join('')
        .replace(/[ \t\f\v]+/g, ' ')
        .replace(/\s*\n\s*/g, '\n')
        .trim();
      page.cleanup();
    } catch {
      text = ''; // one broken page does not lose the others
    }
    if (chars + text.length > caps.maxChars) {
      texts.push(text.slice(0, Math.max(0, caps.maxChars - chars)));
      truncated = true;
      break;
    }
    chars += text.length;
    texts.push(text);
  }
  await doc.destroy().catch(() => {});
  return { pages: doc.numPages, texts, truncated };
}

parentPort?.once('message', (/** @type {{bytes: Uint8Array, caps: {maxPages: number, maxChars: number, until: number}}} */ msg) => {
  extract(msg.bytes, msg.caps).then(
    (result) => parentPort?.postMessage({ ok: true, result }),
    (e) => parentPort?.postMessage({ ok: false, pdf: e instanceof NotAPdf, error: e instanceof Error ? e.message : String(e) }),
  );
});
