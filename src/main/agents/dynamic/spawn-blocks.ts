/**
 * `<spawn>{json}</spawn>` blocks in LLM output: found, taken out of the text the user sees, and
 * parsed leniently — models wrap the JSON in code fences, put the module's newlines raw inside the
 * "code" string, or quote it with backticks; all of that is repaired. What cannot be repaired
 * (a trailing comma, a missing brace) is a clear error naming the place, never a crash.
 */
import { parseSpawnSpec, type SpawnSpec } from './spawn-spec.js';

export type SpawnBlockResult = { ok: true; spec: SpawnSpec; raw: string } | { ok: false; error: string; raw: string; name?: string };

export interface ExtractedSpawns {
  /** The text without the blocks (and without the blank lines they leave). */
  text: string;
  blocks: SpawnBlockResult[];
}

const BLOCK = /<spawn\b[^>]*>([\s\S]*?)(?:<\/spawn\s*>|$)/gi;

/** Finds every block (an unterminated one runs to the end of the text), parses and validates each. */
export function extractSpawnBlocks(text: string): ExtractedSpawns {
  const blocks: SpawnBlockResult[] = [];
  const stripped = text.replace(BLOCK, (_m, body: string) => {
    blocks.push(parseSpawnBlock(body));
    return '';
  });
  return { text: tidy(stripped), blocks };
}

export function hasSpawnBlock(text: string): boolean {
  return /<spawn\b/i.test(text);
}

/** One block's body → a validated spec, or why not. */
export function parseSpawnBlock(body: string): SpawnBlockResult {
  const raw = body.trim();
  const json = parseLenientJson(raw);
  if (!json.ok) return { ok: false, error: `the <spawn> block is not valid JSON: ${json.error}`, raw };
  const name = typeof (json.value as { name?: unknown } | null)?.name === 'string' ? ((json.value as { name: string }).name) : undefined;
  if (!json.value || typeof json.value !== 'object' || Array.isArray(json.value)) {
    return { ok: false, error: 'the <spawn> block must be one JSON object', raw };
  }
  const value = json.value as Record<string, unknown>;
  if (typeof value.code === 'string') value.code = stripCodeFence(value.code);
  const parsed = parseSpawnSpec(value);
  if (!parsed.ok) return { ok: false, error: `invalid <spawn> block: ${parsed.error}`, raw, ...(name ? { name } : {}) };
  return { ok: true, spec: parsed.spec, raw };
}

export type LenientJson = { ok: true; value: unknown } | { ok: false; error: string };

/** JSON.parse after the repairs models need; the error says where and what when it still fails. */
export function parseLenientJson(input: string): LenientJson {
  const text = stripCodeFence(input.trim());
  if (!text) return { ok: false, error: 'it is empty' };
  const attempts = [text, escapeRawControlChars(text), backtickStrings(text)];
  attempts.push(escapeRawControlChars(attempts[2]!));
  for (const candidate of attempts) {
    try {
      return { ok: true, value: JSON.parse(candidate) };
    } catch {
      // try the next repair
    }
  }
  return { ok: false, error: describeJsonError(escapeRawControlChars(backtickStrings(text))) };
}

/** Removes one code fence around the whole text (```json … ```), if there is one. */
export function stripCodeFence(text: string): string {
  const m = /^\s*```[\w+-]*[^\S\n]*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return m ? m[1]! : text;
}

/** Newlines, tabs and other control characters written raw inside string literals → escapes. */
function escapeRawControlChars(text: string): string {
  let out = '';
  let inString = false;
  let escaped = false;
  for (const ch of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      else if (ch < ' ') {
        out += ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : ch === '\t' ? '\\t' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
        continue;
      }
    } else if (ch === '"') inString = true;
    out += ch;
  }
  return out;
}

/** `"code": \`…\`` (a template literal where JSON wants a string) → a JSON string. */
function backtickStrings(text: string): string {
  return text.replace(/(:\s*)`([\s\S]*?)`(?=\s*[,}])/g, (_m, pre: string, body: string) => pre + JSON.stringify(body));
}

function describeJsonError(text: string): string {
  const trailing = findTrailingComma(text);
  if (trailing !== undefined) {
    const { line, column } = lineColumn(text, trailing);
    return `trailing comma at line ${line}, column ${column} (JSON allows no comma before } or ]) — remove it`;
  }
  try {
    JSON.parse(text);
    return 'unknown error';
  } catch (e) {
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    if (!pos) return message;
    const { line, column } = lineColumn(text, Number(pos[1]));
    return `${message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)/, '')} at line ${line}, column ${column}`;
  }
}

/** Offset of a comma followed (after whitespace) by } or ], outside strings. */
function findTrailingComma(text: string): number | undefined {
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === ',' && /^\s*[}\]]/.test(text.slice(i + 1, i + 200))) return i;
  }
  return undefined;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function tidy(text: string): string {
  return text.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}
