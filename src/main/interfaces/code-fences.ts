/**
 * Keeps Markdown code blocks intact across split messages (Discord renders Markdown): a part that
 * ends inside a ``` block gets a closing fence, and the next part reopens it with the same language.
 */

/** Room to leave per part for what balancing may add: "```typescript\n" before, "\n```" after. */
export const FENCE_RESERVE = 24;

const FENCE = /^[ \t]*```([^\s`]*)/gm;

export function balanceCodeFences(parts: string[]): string[] {
  let open: string | null = null; // language of the block left open by the previous part
  return parts.map((part) => {
    let text = open !== null ? `\`\`\`${open}\n${part}` : part;
    open = null;
    for (const m of text.matchAll(FENCE)) open = open === null ? (m[1] ?? '') : null;
    if (open !== null) text += '\n```';
    return text;
  });
}
