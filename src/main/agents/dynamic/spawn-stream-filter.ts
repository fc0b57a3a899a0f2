/**
 * Keeps `<spawn>…</spawn>` blocks out of a streamed reply: text outside blocks passes through as it
 * arrives; a tag split across chunks is held back only as long as it could still be one.
 */
const OPEN = '<spawn';
const CLOSE = '</spawn>';

export interface SpawnStreamFilter {
  /** Feeds one chunk of the reply. */
  push(chunk: string): void;
  /** The reply is complete: releases held-back text that turned out not to be a tag. */
  end(): void;
}

export function filterSpawnBlocks(emit: (visible: string) => void): SpawnStreamFilter {
  let pending = '';
  let inside = false;
  let ended = false;

  const drain = (final: boolean): void => {
    for (;;) {
      if (!inside) {
        const at = pending.toLowerCase().indexOf(OPEN);
        if (at >= 0) {
          out(pending.slice(0, at));
          pending = pending.slice(at);
          const gt = pending.indexOf('>');
          if (gt < 0) {
            if (final) pending = '';
            return;
          }
          pending = pending.slice(gt + 1);
          inside = true;
          continue;
        }
        const keep = final ? 0 : partialSuffix(pending, OPEN);
        out(pending.slice(0, pending.length - keep));
        pending = pending.slice(pending.length - keep);
        return;
      }
      const at = pending.toLowerCase().indexOf(CLOSE);
      if (at >= 0) {
        pending = pending.slice(at + CLOSE.length);
        inside = false;
        continue;
      }
      // Inside a block: nothing is shown; keep only what could start the closing tag.
      pending = final ? '' : pending.slice(pending.length - partialSuffix(pending, CLOSE));
      return;
    }
  };
  const out = (s: string): void => {
    if (s) emit(s);
  };

  return {
    push(chunk) {
      if (ended || !chunk) return;
      pending += chunk;
      drain(false);
    },
    end() {
      if (ended) return;
      ended = true;
      drain(true);
    },
  };
}

/** Length of the longest suffix of `text` that is a proper prefix of `tag` (case-insensitive). */
function partialSuffix(text: string, tag: string): number {
  const lower = text.slice(-tag.length).toLowerCase();
  for (let n = Math.min(tag.length - 1, lower.length); n > 0; n--) {
    if (tag.startsWith(lower.slice(lower.length - n))) return n;
  }
  return 0;
}
