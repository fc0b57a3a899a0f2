/** Checks the JSON text a person types as a task payload, with a place for syntax errors. */
import { validateAgainstSchema, type JsonSchema, type SchemaIssue } from './json-schema.js';

export type PayloadCheck =
  | { ok: true; value: unknown }
  | { ok: false; error: string; line?: number; column?: number; issues?: SchemaIssue[] };

/** 1-based line and column of a character offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/** Where JSON.parse failed, from the engine's message (V8 and SpiderMonkey/JSC wordings). */
function positionFromError(text: string, message: string): { line: number; column: number } | undefined {
  const lc = /line (\d+) column (\d+)/i.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/i.exec(message);
  if (pos) return lineColumnAt(text, Number(pos[1]));
  if (/unexpected end/i.test(message)) return lineColumnAt(text, text.length);
  return undefined;
}

export function checkJsonPayload(text: string, schema?: JsonSchema | null): PayloadCheck {
  if (text.trim() === '') return { ok: false, error: 'Enter a JSON payload, for example {} or "text".' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const where = positionFromError(text, message);
    const hint = /^[\p{L}\p{N}\s]/u.test(text.trim()) && !/^(true|false|null|-?\d)/.test(text.trim()) ? ' (text must be quoted: "like this")' : '';
    return {
      ok: false,
      error: `Not valid JSON${where ? ` at line ${where.line}, column ${where.column}` : ''}: ${message.replace(/^JSON\.parse: /, '')}${hint}`,
      ...where,
    };
  }
  if (schema) {
    const issues = validateAgainstSchema(value, schema);
    if (issues.length > 0) {
      return { ok: false, error: `Does not match the agent's input schema: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues };
    }
  }
  return { ok: true, value };
}
