/** The pure parts of an actuator: filter matching, condition evaluation, `$payload` substitution. */
import type { HaState } from '../client/ha-schemas.js';
import type { ActuatorCondition, ConditionOperator, DetectionFilter } from './actuator-spec.js';

const asNumber = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};

/**
 * Compares like HA people expect: numbers as numbers (`"21.5" gt 20` holds — HA states are
 * strings), everything else by strict equality; ordering operators on non-numbers are false.
 */
export function compare(actual: unknown, op: ConditionOperator, expected: unknown): boolean {
  const a = asNumber(actual);
  const b = asNumber(expected);
  const numeric = a !== undefined && b !== undefined && typeof actual !== 'boolean' && typeof expected !== 'boolean';
  switch (op) {
    case 'eq':
      return numeric ? a === b : actual === expected;
    case 'ne':
      return numeric ? a !== b : actual !== expected;
    case 'gt':
      return numeric && a > b;
    case 'lt':
      return numeric && a < b;
    case 'gte':
      return numeric && a >= b;
    case 'lte':
      return numeric && a <= b;
  }
}

/** Every filter key must match the payload's top-level field (AND). */
export function matchesFilter(filter: DetectionFilter | null, payload: Record<string, unknown>): boolean {
  if (!filter) return true;
  for (const [key, expected] of Object.entries(filter)) {
    const actual = payload[key];
    if (Array.isArray(expected)) {
      if (!expected.some((x) => x === actual)) return false;
    } else if (expected !== null && typeof expected === 'object') {
      const [op, value] = Object.entries(expected)[0] as [ConditionOperator, unknown];
      if (actual === undefined || !compare(actual, op, value)) return false;
    } else if (actual !== expected) {
      return false;
    }
  }
  return true;
}

/** Reads `a.b.0.c` from a value; undefined when any step is missing. */
export function readPath(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const part of path.split('.')) {
    if (v === null || v === undefined) return undefined;
    if (Array.isArray(v) && /^\d+$/.test(part)) v = v[Number(part)];
    else if (typeof v === 'object') v = (v as Record<string, unknown>)[part];
    else return undefined;
  }
  return v;
}

export function evaluateCondition(c: ActuatorCondition, state: HaState): boolean {
  return compare(readPath(state, c.attribute), c.operator, c.value);
}

const WHOLE = /^\$payload\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)$/;
const EMBEDDED = /\$payload\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g;

/**
 * Replaces `"$payload.path"` values with the payload's field (keeping its type) and `$payload.path`
 * inside longer strings with its text, recursively. Missing fields are reported, not guessed.
 */
export function substitutePayload(data: Record<string, unknown>, payload: Record<string, unknown>): { ok: true; data: Record<string, unknown> } | { ok: false; missing: string[] } {
  const missing: string[] = [];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = WHOLE.exec(v);
      if (whole) {
        const got = readPath(payload, whole[1]!);
        if (got === undefined) missing.push(whole[1]!);
        return got;
      }
      return v.replace(EMBEDDED, (_m, path: string) => {
        const got = readPath(payload, path);
        if (got === undefined) {
          missing.push(path);
          return '';
        }
        return typeof got === 'string' ? got : JSON.stringify(got);
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const out = walk(data) as Record<string, unknown>;
  return missing.length > 0 ? { ok: false, missing } : { ok: true, data: out };
}
