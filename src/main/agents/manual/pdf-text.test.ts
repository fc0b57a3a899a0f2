/** pdf.js text extraction (in its worker thread) on real PDFs made with pdf-lib: page by page, and every cap. */
import { describe, expect, it } from 'vitest';
import { extractPdfText, PdfTextError } from './pdf-text.js';
import { makePdf } from './testing/manual-web.js';

describe('extractPdfText', () => {
  const pages = ['First page: unpacking.', 'Second page: safety.', 'Third page: descaling the machine.', 'Fourth page: warranty.'];

  it('reads every page, in order, and reports the page count — in a worker thread (pdf.js leaves no globals here)', async () => {
    expect(await extractPdfText(await makePdf(pages), { maxPages: 10, maxChars: 10_000 })).toEqual({ pages: 4, texts: pages, truncated: false });
    expect(Object.getOwnPropertyNames(globalThis).filter((k) => /pdfjs/i.test(k))).toEqual([]);
  });

  it('keeps at most maxPages pages and maxChars characters; the page count stays the document’s', async () => {
    const pdf = await makePdf(pages);
    expect(await extractPdfText(pdf, { maxPages: 2, maxChars: 10_000 })).toEqual({ pages: 4, texts: pages.slice(0, 2), truncated: true });
    const capped = await extractPdfText(pdf, { maxPages: 10, maxChars: 30 });
    expect(capped.texts.join('')).toHaveLength(30);
    expect(capped).toMatchObject({ pages: 4, texts: [pages[0], pages[1]!.slice(0, 30 - pages[0]!.length)], truncated: true });
  });

  it('stops reading at the deadline, keeping the pages read', async () => {
    const r = await extractPdfText(await makePdf(pages), { maxPages: 10, maxChars: 10_000, until: Date.now() - 1 });
    expect(r).toEqual({ pages: 4, texts: [pages[0]], truncated: true });
  });

  it('refuses what is not a PDF with PdfTextError', async () => {
    await expect(extractPdfText(Buffer.from('%PDF-1.7\nthis is not really a pdf'), { maxPages: 10, maxChars: 1_000 })).rejects.toBeInstanceOf(PdfTextError);
    await expect(extractPdfText(Buffer.from('<html>no</html>'), { maxPages: 10, maxChars: 1_000 })).rejects.toThrow(/not a readable PDF/);
  });
});
