/**
 * JSON Schema as agent manifests (`input_schema`) and catalog recipes (`config_schema`) write it,
 * checked by zod 4's `fromJSONSchema` — one validator for the hub (a spawn's config) and the
 * dashboard (a task payload before it is sent, a recipe's config form), so both ends judge a value
 * the same way.
 *
 * Around zod, three policies of ours:
 * - The schema is normalised first: an array with minItems/maxItems but no `items` gets `items: {}`
 *   (zod ignores the bounds otherwise); where a value is only being checked (the dashboard), a
 *   `pattern` that is not a valid regular expression is dropped rather than making the whole schema
 *   unusable — the hub, loading a recipe, refuses it instead (`compileJsonSchemaOrThrow`).
 * - A schema zod cannot convert (an external `$ref`, an unknown type) checks nothing here
 *   (`compileJsonSchema` returns null; the hub refuses such a recipe when it loads it).
 * - Issues come back as `{ path: "$.tags[1]", message: "expected string, got number" }`: short,
 *   for a person, the same words on both ends.
 */
import { z } from 'zod';

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  default?: unknown;
  examples?: unknown[];
  additionalProperties?: boolean | JsonSchema;
  /** Non-standard marker some recipes use for secrets. */
  secret?: boolean;
  writeOnly?: boolean;
}

const jsonSchemaShape: z.ZodType<JsonSchema> = z.lazy(() =>
  z.looseObject({
    type: z.union([z.string(), z.array(z.string())]).optional(),
    title: z.string().optional(),
    description: z.string().optional(),
    properties: z.record(z.string(), jsonSchemaShape).optional(),
    required: z.array(z.string()).optional(),
    enum: z.array(z.unknown()).optional(),
    const: z.unknown().optional(),
    items: jsonSchemaShape.optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    exclusiveMinimum: z.number().optional(),
    exclusiveMaximum: z.number().optional(),
    minLength: z.number().optional(),
    maxLength: z.number().optional(),
    minItems: z.number().optional(),
    maxItems: z.number().optional(),
    pattern: z.string().optional(),
    format: z.string().optional(),
    default: z.unknown().optional(),
    examples: z.array(z.unknown()).optional(),
    additionalProperties: z.union([z.boolean(), jsonSchemaShape]).optional(),
    secret: z.boolean().optional(),
    writeOnly: z.boolean().optional(),
  }),
);

/** The schema if `x` looks like one (an object with a type, properties or enum); null otherwise. */
export function asJsonSchema(x: unknown): JsonSchema | null {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return null;
  const r = jsonSchemaShape.safeParse(x);
  if (!r.success) return null;
  const s = r.data;
  if (s.type === undefined && s.properties === undefined && s.enum === undefined) return null;
  return s;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/**
 * A copy of `schema` that zod converts the way JSON Schema means it (see the header). `strict`
 * keeps a broken pattern, so converting fails and says so (the hub, loading a recipe).
 */
export function normaliseJsonSchema(schema: unknown, strict = false): unknown {
  if (Array.isArray(schema)) return schema.map((s) => normaliseJsonSchema(s, strict));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    // Values of these keywords are data, not schemas.
    out[k] = k === 'enum' || k === 'const' || k === 'default' || k === 'examples' ? v : normaliseJsonSchema(v, strict);
  }
  if (!strict && typeof out.pattern === 'string' && !compiles(out.pattern)) delete out.pattern;
  const isArray = out.type === 'array' || (Array.isArray(out.type) && out.type.includes('array'));
  if (isArray && out.items === undefined && out.prefixItems === undefined && (out.minItems !== undefined || out.maxItems !== undefined)) out.items = {};
  return out;
}

type FromJsonSchemaInput = Parameters<typeof z.fromJSONSchema>[0];

/** Converts `schema`; throws with zod's reason when it cannot, a broken pattern included (the hub reports that for a recipe). */
export function compileJsonSchemaOrThrow(schema: object): z.ZodType {
  return z.fromJSONSchema(normaliseJsonSchema(schema, true) as FromJsonSchemaInput);
}

const compiled = new WeakMap<object, z.ZodType | null>();

/** The zod schema for `schema` (built once per schema object), or null when zod cannot convert it. */
export function compileJsonSchema(schema: object): z.ZodType | null {
  if (compiled.has(schema)) return compiled.get(schema)!;
  let out: z.ZodType | null;
  try {
    out = z.fromJSONSchema(normaliseJsonSchema(schema) as FromJsonSchemaInput);
  } catch {
    out = null;
  }
  compiled.set(schema, out);
  return out;
}

export interface SchemaIssue {
  path: string;
  message: string;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function formatPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : `${p}.${String(k)}`), root);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let cur: unknown = value;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || !(k in (cur as object))) return { found: false, value: undefined };
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return { found: true, value: cur };
}

const typeName = (t: unknown) => (t === 'int' ? 'integer' : String(t));

function bound(issue: { origin?: string; inclusive?: boolean }, n: unknown, big: boolean): string {
  switch (issue.origin) {
    case 'string':
      return `must have at ${big ? 'most' : 'least'} ${String(n)} characters`;
    case 'array':
    case 'set':
      return `must have at ${big ? 'most' : 'least'} ${String(n)} items`;
    default:
      return `must be ${big ? (issue.inclusive === false ? '<' : '≤') : issue.inclusive === false ? '>' : '≥'} ${String(n)}`;
  }
}

/** zod's issues in a person's words, with JSON-path-like paths under `root`. */
export function describeJsonSchemaIssues(issues: readonly z.core.$ZodIssue[], value: unknown, root = '$'): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  for (const issue of issues) {
    const path = formatPath(root, issue.path);
    switch (issue.code) {
      case 'invalid_type': {
        const at = valueAt(value, issue.path);
        if (!at.found && issue.path.length > 0) out.push({ path, message: 'is required' });
        else out.push({ path, message: `expected ${typeName(issue.expected)}, got ${typeOf(at.value)}` });
        break;
      }
      case 'invalid_union': {
        const expected = issue.errors.flatMap((branch) => branch.filter((i) => i.code === 'invalid_type' && i.path.length === 0).map((i) => typeName((i as { expected: unknown }).expected)));
        const at = valueAt(value, issue.path);
        out.push({ path, message: expected.length > 0 ? `expected ${[...new Set(expected)].join(' or ')}, got ${typeOf(at.value)}` : issue.message });
        break;
      }
      case 'too_big':
        out.push({ path, message: bound(issue, issue.maximum, true) });
        break;
      case 'too_small':
        out.push({ path, message: bound(issue, issue.minimum, false) });
        break;
      case 'invalid_format':
        out.push({ path, message: issue.format === 'regex' && issue.pattern ? `must match ${issue.pattern.replace(/^\/(.*)\/[a-z]*$/, '$1')}` : `must be a valid ${issue.format}` });
        break;
      case 'invalid_value':
        out.push({ path, message: issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` });
        break;
      case 'unrecognized_keys':
        for (const key of issue.keys) out.push({ path: formatPath(root, [...issue.path, key]), message: 'is not allowed' });
        break;
      case 'not_multiple_of':
        out.push({ path, message: `must be a multiple of ${String(issue.divisor)}` });
        break;
      default:
        out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** Checks `value` against `schema`; every issue found (empty when valid, or when the schema cannot be used). */
export function validateJsonSchema(value: unknown, schema: object, root = '$'): SchemaIssue[] {
  const validator = compileJsonSchema(schema);
  if (!validator) return [];
  const r = validator.safeParse(value);
  return r.success ? [] : describeJsonSchemaIssues(r.error.issues, value, root);
}
