/**
 * Maps positions in transpiled TypeScript back to the agent's source, so that errors from a
 * TypeScript agent name the line the user sees in the editor. Reads the `mappings` of the source
 * map that `transpileModule` emits (VLQ, one source file).
 */

/** 1-based line/column in the generated JavaScript → 1-based line/column in the source. */
export type PositionMap = (line: number, column: number) => { line: number; column: number } | undefined;

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = BASE64.indexOf(ch);
    if (digit < 0) return values;
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

export function positionMapFrom(sourceMapText: string): PositionMap {
  const { mappings } = JSON.parse(sourceMapText) as { mappings: string };
  // Per generated line: [generatedColumn, sourceLine, sourceColumn], 0-based, in column order.
  const lines: [number, number, number][][] = [];
  let sourceLine = 0;
  let sourceColumn = 0;
  for (const lineText of mappings.split(';')) {
    const segments: [number, number, number][] = [];
    let generatedColumn = 0;
    for (const seg of lineText.split(',')) {
      if (!seg) continue;
      const v = decodeVlq(seg);
      generatedColumn += v[0] ?? 0;
      if (v.length >= 4) {
        sourceLine += v[2]!;
        sourceColumn += v[3]!;
        segments.push([generatedColumn, sourceLine, sourceColumn]);
      }
    }
    lines.push(segments);
  }
  return (line, column) => {
    const segments = lines[line - 1];
    if (!segments || segments.length === 0) return undefined;
    let best = segments[0]!;
    for (const s of segments) {
      if (s[0] > column - 1) break;
      best = s;
    }
    return { line: best[1] + 1, column: best[2] + 1 + Math.max(0, column - 1 - best[0]) };
  };
}
