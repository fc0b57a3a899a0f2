/**
 * Text of a PDF, page by page, with Mozilla's pdf.js (pdfjs-dist, the legacy build for Node: no
 * canvas, no DOM). Bounded like the original (it extracts the first 80 pages): at most `maxPages`
 * pages and `maxChars` characters are kept; the page count reported is the document's. pdf.js is
 * loaded on first use (it is large) and runs with `isEvalSupported: false` (no code generated from
 * a document's fonts: a hostile PDF is data, nothing more) and without font faces or system fonts.
 * It yields to the event loop after every page (see below), so the hub keeps serving meanwhile.
 */
import { toError } from '../../core/errors.js';

export interface PdfText {
  /** Pages in the document. */
  pages: number;
  /** Text of the pages kept (index 0 = page 1), whitespace collapsed. */
  texts: string[];
  /** True when pages or characters were left out for the caps. */
  truncated: boolean;
}

export class PdfTextError extends Error {
  override name = 'PdfTextError';
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjs: Promise<PdfJs> | undefined;
const loadPdfJs = (): Promise<PdfJs> => (pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs'));

/** Extracts the text of `bytes` (a whole PDF). Throws PdfTextError when it is not a readable PDF. */
export async function extractPdfText(bytes: Uint8Array, caps: { maxPages: number; maxChars: number; /** Epoch ms: pages not read by then are left out. */ until?: number }): Promise<PdfText> {
  const lib = await loadPdfJs();
  // pdf.js takes ownership of (and detaches) the buffer it is given: hand it a copy.
  const task = lib.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0, stopAtErrors: false });
  let doc: Awaited<typeof task.promise>;
  try {
    doc = await task.promise;
  } catch (e) {
    await task.destroy().catch(() => {});
    throw new PdfTextError(`not a readable PDF (${toError(e).message})`);
  }
  try {
    const texts: string[] = [];
    let chars = 0;
    let truncated = doc.numPages > caps.maxPages;
    for (let n = 1; n <= Math.min(doc.numPages, caps.maxPages); n++) {
      if (caps.until !== undefined && Date.now() > caps.until && texts.length > 0) {
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
      // pdf.js (its worker runs in this thread in Node) only ever waits on promises: without a turn of
      // the event loop per page, a long manual would hold up every timer and socket of the hub.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (chars + text.length > caps.maxChars) {
        texts.push(text.slice(0, Math.max(0, caps.maxChars - chars)));
        truncated = true;
        break;
      }
      chars += text.length;
      texts.push(text);
    }
    return { pages: doc.numPages, texts, truncated };
  } finally {
    await doc.destroy().catch(() => {});
  }
}
