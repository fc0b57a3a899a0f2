/**
 * The Markdown policy of the dashboard (the rendering is react-markdown's: components/Markdown.tsx).
 * Chat replies and agent descriptions come from LLMs and agents, so the text is untrusted:
 *
 * - CommonMark + GitHub's extensions (tables, strikethrough, task lists, bare-URL autolinks) via
 *   remark-gfm, and a single newline is a line break (remark-breaks) — how LLMs write.
 * - No HTML from the source: react-markdown without rehype-raw turns raw HTML into literal text,
 *   and nothing in the dashboard uses dangerouslySetInnerHTML.
 * - Links keep only http(s) and mailto targets (`safeHref`); anything else (javascript:, data:,
 *   vbscript:, relative paths, fragments) loses its link and keeps its text. Images never load:
 *   they show as a link to their (safe) address, so a reply cannot make the page fetch anything.
 */
import remarkBreaks from 'remark-breaks';
import remarkGfm from 'remark-gfm';

export const REMARK_PLUGINS = [remarkGfm, remarkBreaks];

/** The link target if it is http(s) or mailto and has nothing that could break out of an attribute; null otherwise. */
export function safeHref(raw: string): string | null {
  const href = raw.trim();
  if (/^(https?:\/\/|mailto:)/i.test(href) && !/[\s<>"]/.test(href)) return href;
  return null;
}

/** react-markdown's `urlTransform`: unsafe targets become '' (the link renderer drops those). */
export function markdownUrlTransform(url: string): string {
  return safeHref(url) ?? '';
}
