/** `@mention` autocomplete for the chat input: what is being typed, what matches, and the text after picking one. */

export interface MentionQuery {
  /** Offset of the `@`. */
  start: number;
  /** Text typed after `@` up to the caret. */
  query: string;
}

/** The mention being typed at `caret`, if any (an `@` at the start or after whitespace, no space since). */
export function mentionAt(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([\w.-]*)$/.exec(before);
  if (!m) return null;
  return { start: before.length - m[2]!.length - 1, query: m[2]! };
}

/** Names matching the query: prefix matches first, then substring matches, each alphabetical. */
export function mentionCandidates(names: readonly string[], query: string, limit = 8): string[] {
  const q = query.toLowerCase();
  const prefix: string[] = [];
  const inside: string[] = [];
  for (const n of names) {
    const l = n.toLowerCase();
    if (l.startsWith(q)) prefix.push(n);
    else if (q && l.includes(q)) inside.push(n);
  }
  prefix.sort();
  inside.sort();
  return prefix.concat(inside).slice(0, limit);
}

/** Replaces the mention being typed with `@name ` and returns the new text and caret. */
export function applyMention(text: string, mention: MentionQuery, caret: number, name: string): { text: string; caret: number } {
  const insert = `@${name} `;
  const after = text.slice(caret).replace(/^[\w.-]*/, '').replace(/^ /, '');
  return { text: text.slice(0, mention.start) + insert + after, caret: mention.start + insert.length };
}
