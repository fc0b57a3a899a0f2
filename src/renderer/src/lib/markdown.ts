/**
 * A small Markdown parser for chat replies: CommonMark's everyday subset plus GFM tables,
 * strikethrough and autolinks. It produces a tree of plain data that Markdown.tsx renders as React
 * elements — no HTML string is ever built, so text from an LLM or an agent cannot inject markup:
 * `<script>` stays the characters `<script>`. Links keep only http(s) and mailto targets.
 * Unterminated constructs (a code fence still streaming in) render as what they will become.
 */

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'strong'; c: Inline[] }
  | { t: 'em'; c: Inline[] }
  | { t: 'del'; c: Inline[] }
  | { t: 'link'; href: string; c: Inline[] }
  | { t: 'br' };

export type Align = 'left' | 'center' | 'right' | null;

export type Block =
  | { t: 'p'; c: Inline[] }
  | { t: 'h'; level: 1 | 2 | 3 | 4 | 5 | 6; c: Inline[] }
  | { t: 'code'; lang: string; v: string }
  | { t: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { t: 'quote'; c: Block[] }
  | { t: 'hr' }
  | { t: 'table'; head: Inline[][]; align: Align[]; rows: Inline[][][] };

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$/;
const HR = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const LIST_ITEM = /^( {0,12})([-*+]|\d{1,9}[.)])(?:\s+(.*)|\s*$)/;
const TABLE_DELIM = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/** Only these URL schemes become links; anything else (javascript:, data:, vbscript:…) stays text. */
export function safeHref(raw: string): string | null {
  const href = raw.trim();
  if (/^(https?:\/\/|mailto:)/i.test(href) && !/[\s<>"]/.test(href)) return href;
  return null;
}

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n');
  return parseBlocks(lines);
}

function isBlank(line: string | undefined): boolean {
  return line === undefined || line.trim() === '';
}

/** True when `line` starts a block other than a paragraph (it ends a paragraph). */
function startsBlock(line: string, next: string | undefined): boolean {
  return (
    FENCE.test(line) ||
    HEADING.test(line) ||
    HR.test(line) ||
    QUOTE.test(line) ||
    LIST_ITEM.test(line) ||
    (line.includes('|') && next !== undefined && TABLE_DELIM.test(next) && next.includes('-'))
  );
}

function parseBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1]!;
      const body: string[] = [];
      i++;
      while (i < lines.length && !new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`).test(lines[i]!)) {
        body.push(lines[i]!);
        i++;
      }
      i++; // the closing fence (or past the end while it is still streaming in)
      blocks.push({ t: 'code', lang: fence[2] ?? '', v: body.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ t: 'h', level: heading[1]!.length as 1 | 2 | 3 | 4 | 5 | 6, c: parseInline(heading[2] ?? '') });
      i++;
      continue;
    }
    if (HR.test(line)) {
      blocks.push({ t: 'hr' });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && !isBlank(lines[i])) {
        const q = QUOTE.exec(lines[i]!);
        body.push(q ? q[1]! : lines[i]!);
        i++;
      }
      blocks.push({ t: 'quote', c: parseBlocks(body) });
      continue;
    }
    if (LIST_ITEM.test(line)) {
      i = parseList(lines, i, blocks);
      continue;
    }
    const next = lines[i + 1];
    if (line.includes('|') && next !== undefined && TABLE_DELIM.test(next) && next.includes('-')) {
      i = parseTable(lines, i, blocks);
      continue;
    }
    const para: string[] = [line];
    i++;
    while (i < lines.length && !isBlank(lines[i]) && !startsBlock(lines[i]!, lines[i + 1])) {
      para.push(lines[i]!);
      i++;
    }
    blocks.push({ t: 'p', c: parseInline(para.map((l) => l.replace(/^\s+/, '')).join('\n')) });
  }
  return blocks;
}

function parseList(lines: string[], start: number, out: Block[]): number {
  const first = LIST_ITEM.exec(lines[start]!)!;
  const baseIndent = first[1]!.length;
  const ordered = /\d/.test(first[2]!);
  const items: string[][] = [];
  let current: string[] = [];
  let contentIndent = 0;
  let i = start;
  let sawBlank = false;
  while (i < lines.length) {
    const line = lines[i]!;
    const m = LIST_ITEM.exec(line);
    if (m && m[1]!.length <= baseIndent + 1 && /\d/.test(m[2]!) === ordered) {
      if (i !== start) items.push(current);
      current = [m[3] ?? ''];
      contentIndent = m[1]!.length + m[2]!.length + 1;
      sawBlank = false;
      i++;
      continue;
    }
    if (isBlank(line)) {
      // A blank line continues the item only if indented content follows.
      const nextLine = lines[i + 1];
      if (nextLine !== undefined && !isBlank(nextLine) && leadingSpaces(nextLine) >= Math.min(contentIndent, baseIndent + 2)) {
        current.push('');
        sawBlank = true;
        i++;
        continue;
      }
      break;
    }
    const indent = leadingSpaces(line);
    if (indent > baseIndent) {
      current.push(line.slice(Math.min(indent, contentIndent)));
      i++;
      continue;
    }
    if (!sawBlank && !startsBlock(line, lines[i + 1])) {
      current.push(line.trim()); // lazy continuation of the item's paragraph
      i++;
      continue;
    }
    break;
  }
  items.push(current);
  out.push({
    t: 'list',
    ordered,
    start: ordered ? Number.parseInt(first[2]!, 10) : 1,
    items: items.map((item) => parseBlocks(item)),
  });
  return i;
}

function leadingSpaces(line: string): number {
  return line.length - line.trimStart().length;
}

function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells: string[] = [];
  let cur = '';
  let inCode = false;
  for (let k = 0; k < s.length; k++) {
    const ch = s[k]!;
    if (ch === '\\' && s[k + 1] === '|') {
      cur += '|';
      k++;
    } else if (ch === '`') {
      inCode = !inCode;
      cur += ch;
    } else if (ch === '|' && !inCode) {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

function parseTable(lines: string[], start: number, out: Block[]): number {
  const head = splitRow(lines[start]!);
  const align: Align[] = splitRow(lines[start + 1]!).map((d) => {
    const l = d.startsWith(':');
    const r = d.endsWith(':');
    return l && r ? 'center' : r ? 'right' : l ? 'left' : null;
  });
  const rows: Inline[][][] = [];
  let i = start + 2;
  while (i < lines.length && !isBlank(lines[i]) && lines[i]!.includes('|')) {
    const cells = splitRow(lines[i]!);
    rows.push(head.map((_, k) => parseInline(cells[k] ?? '')));
    i++;
  }
  out.push({ t: 'table', head: head.map((h) => parseInline(h)), align: head.map((_, k) => align[k] ?? null), rows });
  return i;
}

const PUNCT = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;
const AUTOLINK = /^https?:\/\/[^\s<>"'`]+/i;

/** Parses inline Markdown (code spans, emphasis, links, autolinks, escapes, line breaks). */
export function parseInline(src: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ t: 'text', v: text });
    text = '';
  };
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    // Backslash escape or hard break (backslash before a newline).
    if (ch === '\\') {
      const nx = src[i + 1];
      if (nx === '\n') {
        flush();
        out.push({ t: 'br' });
        i += 2;
        continue;
      }
      if (nx !== undefined && PUNCT.test(nx)) {
        text += nx;
        i += 2;
        continue;
      }
    }
    if (ch === '\n') {
      // Chat text: a single newline is a line break, as people type it.
      text = text.replace(/ +$/, '');
      flush();
      out.push({ t: 'br' });
      i++;
      continue;
    }
    if (ch === '`') {
      const run = /^`+/.exec(src.slice(i))![0];
      const close = src.indexOf(run, i + run.length);
      if (close !== -1 && src[close + run.length] !== '`') {
        flush();
        let code = src.slice(i + run.length, close).replace(/\n/g, ' ');
        if (code.startsWith(' ') && code.endsWith(' ') && code.trim() !== '') code = code.slice(1, -1);
        out.push({ t: 'code', v: code });
        i = close + run.length;
        continue;
      }
      text += run;
      i += run.length;
      continue;
    }
    if (ch === '[') {
      const link = matchLink(src, i);
      if (link) {
        flush();
        const href = safeHref(link.href);
        const children = parseInline(link.label);
        if (href) out.push({ t: 'link', href, c: children });
        else out.push(...children);
        i = link.end;
        continue;
      }
    }
    if ((ch === 'h' || ch === 'H') && (i === 0 || /[\s(]/.test(src[i - 1]!))) {
      const m = AUTOLINK.exec(src.slice(i));
      if (m) {
        let url = m[0];
        // Trailing punctuation belongs to the sentence, not the URL.
        while (/[.,;:!?)\]]$/.test(url)) {
          if (url.endsWith(')') && (url.match(/\(/g)?.length ?? 0) >= (url.match(/\)/g)?.length ?? 0)) break;
          url = url.slice(0, -1);
        }
        const href = safeHref(url);
        if (href) {
          flush();
          out.push({ t: 'link', href, c: [{ t: 'text', v: url }] });
          i += url.length;
          continue;
        }
      }
    }
    if (ch === '*' || ch === '_' || ch === '~') {
      const em = matchEmphasis(src, i);
      if (em) {
        flush();
        out.push(em.node);
        i = em.end;
        continue;
      }
    }
    text += ch;
    i++;
  }
  flush();
  return out;
}

function matchLink(src: string, start: number): { label: string; href: string; end: number } | null {
  let depth = 0;
  let k = start;
  for (; k < src.length; k++) {
    const c = src[k];
    if (c === '\\') {
      k++;
      continue;
    }
    if (c === '[') depth++;
    else if (c === ']') {
      depth--;
      if (depth === 0) break;
    } else if (c === '\n' && src[k + 1] === '\n') return null;
  }
  if (depth !== 0 || src[k + 1] !== '(') return null;
  const close = src.indexOf(')', k + 2);
  if (close === -1) return null;
  let href = src.slice(k + 2, close).trim();
  // Drop an optional title: [x](url "title").
  const sp = href.search(/\s/);
  if (sp !== -1) href = href.slice(0, sp);
  if (href.startsWith('<') && href.endsWith('>')) href = href.slice(1, -1);
  return { label: src.slice(start + 1, k), href, end: close + 1 };
}

function matchEmphasis(src: string, start: number): { node: Inline; end: number } | null {
  const ch = src[start]!;
  const run = src.slice(start).match(ch === '*' ? /^\*+/ : ch === '_' ? /^_+/ : /^~+/)![0];
  if (ch === '~' && run.length !== 2) return null;
  const size = ch === '~' ? 2 : Math.min(run.length, 2);
  const delim = ch.repeat(size);
  const after = src[start + size];
  if (after === undefined || /\s/.test(after)) return null;
  // `_` inside a word (snake_case names) is not emphasis.
  if (ch === '_' && start > 0 && /[\p{L}\p{N}]/u.test(src[start - 1]!)) return null;
  let k = start + size;
  while (k < src.length) {
    const idx = src.indexOf(delim, k);
    if (idx === -1) return null;
    const before = src[idx - 1]!;
    const next = src[idx + size];
    const closesHere =
      idx > start + size &&
      !/\s/.test(before) &&
      (size === 2 || next !== ch) &&
      !(ch === '_' && next !== undefined && /[\p{L}\p{N}]/u.test(next));
    if (closesHere) {
      const inner = parseInline(src.slice(start + size, idx));
      const node: Inline = ch === '~' ? { t: 'del', c: inner } : size === 2 ? { t: 'strong', c: inner } : { t: 'em', c: inner };
      return { node, end: idx + size };
    }
    k = idx + (size === 2 ? 2 : 1);
    if (src[k - 1] === ch && size === 1) {
      while (src[k] === ch) k++;
    }
  }
  return null;
}

/** Plain text of a tree (used for copy, search and previews). */
export function inlineText(nodes: Inline[]): string {
  return nodes.map((n) => (n.t === 'text' || n.t === 'code' ? n.v : n.t === 'br' ? '\n' : inlineText(n.c))).join('');
}
