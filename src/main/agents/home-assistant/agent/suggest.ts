/** "Did you mean…" for entity ids and services that do not exist. */

/** Levenshtein distance, bounded work for short ids. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

const words = (s: string): Set<string> => new Set(s.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 1));

/**
 * Up to `max` candidates closest to `wanted`: shared words count most (`light.livingroom_lamp`
 * vs `light.living_room_lamp`), then edit distance; same-domain candidates first.
 */
export function closest(wanted: string, candidates: Iterable<string>, max = 3): string[] {
  const w = words(wanted);
  const domain = wanted.split('.')[0];
  const scored: Array<{ c: string; score: number }> = [];
  for (const c of candidates) {
    const cw = words(c);
    let shared = 0;
    for (const x of w) if (cw.has(x)) shared++;
    const dist = editDistance(wanted, c);
    const sameDomain = c.split('.')[0] === domain ? 1 : 0;
    const score = sameDomain * 100 + shared * 10 - dist;
    if (shared > 0 || dist <= Math.max(3, wanted.length / 3)) scored.push({ c, score });
  }
  return scored.sort((a, b) => b.score - a.score).slice(0, max).map((s) => s.c);
}

export function didYouMean(wanted: string, candidates: Iterable<string>): string {
  const best = closest(wanted, candidates);
  return best.length > 0 ? ` — did you mean ${best.join(', ')}?` : '';
}
