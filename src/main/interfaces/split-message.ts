/**
 * Splits a long reply into messages that each fit a service's size limit (Telegram 4096, Discord
 * 2000, WhatsApp 1600), preferring the most natural boundary that fits: a blank line between
 * paragraphs, then a line break, then a sentence end, then a space; only a single unbroken run of
 * text longer than the limit is cut mid-word. A surrogate pair (emoji) is never cut in half.
 * Lengths are in UTF-16 code units, which is how these services count (or stricter than them).
 */
const BOUNDARIES: RegExp[] = [/\n\s*\n/g, /\n/g, /[.!?…](?=\s)/g, /\s/g];

export function splitMessage(text: string, limit: number): string[] {
  if (!Number.isInteger(limit) || limit < 2) throw new RangeError(`limit must be an integer ≥ 2, got ${limit}`);
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const cut = cutPoint(rest, limit);
    const head = rest.slice(0, cut).trimEnd();
    if (head) parts.push(head);
    rest = rest.slice(cut).trimStart();
  }
  if (rest) parts.push(rest);
  return parts;
}

/** The index to cut `text` at so that the head is at most `limit` long. */
function cutPoint(text: string, limit: number): number {
  const window = text.slice(0, limit + 1);
  for (const boundary of BOUNDARIES) {
    let best = -1;
    for (const m of window.matchAll(boundary)) {
      // Cut after a sentence end (keep the dot), at a whitespace boundary (drop it).
      const end = boundary.source.startsWith('[') ? m.index + m[0].length : m.index;
      if (end <= limit && end > 0) best = end;
    }
    // A boundary in the first fifth would leave a tiny message; try a finer boundary instead.
    if (best > limit / 5) return best;
  }
  let cut = limit;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // high surrogate: keep the pair together
  return cut;
}
