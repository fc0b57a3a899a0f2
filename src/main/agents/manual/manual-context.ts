/**
 * Which part of a manual goes into a question's prompt. As the original: the text is cut into
 * chunks of 600 words overlapping by 100, each chunk is scored by how often the question's keywords
 * (stop words and words of one or two letters left out) occur in it, and the best chunks are taken
 * — here until `budget` characters, each marked with its page, so the prompt stays bounded however
 * long the manual is. Chunks never span pages (the page number stays true). Ties keep page order.
 */

const STOPWORDS = new Set(
  'how do i the a an is are what where when why can does to for of in on at my this that it its with and or be was will has have use using get me please tell about there their they we you your which make need'.split(' '),
);

const CHUNK_WORDS = 600;
const OVERLAP_WORDS = 100;

export interface ManualChunk {
  page: number;
  text: string;
}

export function keywords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z]+/g) ?? []).filter((w) => w.length > 2 && !STOPWORDS.has(w));
}

/** Pages (index 0 = page 1) cut into overlapping word chunks. */
export function chunkPages(texts: readonly string[]): ManualChunk[] {
  const out: ManualChunk[] = [];
  texts.forEach((text, i) => {
    const words = text.split(/\s+/).filter(Boolean);
    for (let at = 0; at < words.length; at += CHUNK_WORDS - OVERLAP_WORDS) {
      out.push({ page: i + 1, text: words.slice(at, at + CHUNK_WORDS).join(' ') });
      if (at + CHUNK_WORDS >= words.length) break;
    }
  });
  return out;
}

function occurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}

/** The chunks most relevant to `question`, best first, within `budget` characters in all. */
export function selectContext(texts: readonly string[], question: string, budget: number): ManualChunk[] {
  const kws = keywords(question);
  const scored = chunkPages(texts).map((c, order) => {
    const lower = c.text.toLowerCase();
    return { c, order, score: kws.reduce((s, kw) => s + occurrences(lower, kw), 0) };
  });
  scored.sort((a, b) => b.score - a.score || a.order - b.order);
  const picked: ManualChunk[] = [];
  let used = 0;
  for (const { c } of scored) {
    if (picked.length >= 6 || used >= budget) break;
    const room = budget - used;
    const text = c.text.length > room ? c.text.slice(0, room) : c.text;
    picked.push({ page: c.page, text });
    used += text.length;
  }
  return picked;
}

/** The excerpt as the prompt shows it: each chunk under its page number. */
export function formatContext(chunks: readonly ManualChunk[]): string {
  return chunks.map((c) => `[page ${c.page}]\n${c.text}`).join('\n\n---\n\n');
}
