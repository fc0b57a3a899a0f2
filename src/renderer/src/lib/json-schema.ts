/**
 * The part of JSON Schema that agent manifests and catalog recipes use for their inputs and
 * config: types, properties/required, enum/const, items, bounds, lengths and patterns. Enough to
 * check a payload before it leaves the dashboard and to build a form; the hub validates again.
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

/** The schema if `x` looks like one we understand (an object with at least a type or properties); null otherwise. */
export function asJsonSchema(x: unknown): JsonSchema | null {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return null;
  const r = jsonSchemaShape.safeParse(x);
  if (!r.success) return null;
  const s = r.data;
  if (s.type === undefined && s.properties === undefined && s.enum === undefined) return null;
  return s;
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

function matchesType(v: unknown, type: string): boolean {
  const actual = typeOf(v);
  if (type === 'number') return actual === 'number' || actual === 'integer';
  return actual === type;
}

/** Checks `value` against `schema`; returns every issue found (empty when valid). */
export function validateAgainstSchema(value: unknown, schema: JsonSchema, path = '$'): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length > 0 && !types.some((t) => matchesType(value, t))) {
    issues.push({ path, message: `expected ${types.join(' or ')}, got ${typeOf(value)}` });
    return issues;
  }
  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    issues.push({ path, message: `must be ${JSON.stringify(schema.const)}` });
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    issues.push({ path, message: `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}` });
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) issues.push({ path, message: `must be ≥ ${schema.minimum}` });
    if (schema.maximum !== undefined && value > schema.maximum) issues.push({ path, message: `must be ≤ ${schema.maximum}` });
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) issues.push({ path, message: `must have at least ${schema.minLength} characters` });
    if (schema.maxLength !== undefined && value.length > schema.maxLength) issues.push({ path, message: `must have at most ${schema.maxLength} characters` });
    if (schema.pattern !== undefined) {
      let re: RegExp | null = null;
      try {
        re = new RegExp(schema.pattern, 'u');
      } catch {
        re = null; // a pattern we cannot compile is the hub's to judge
      }
      if (re && !re.test(value)) issues.push({ path, message: `must match ${schema.pattern}` });
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) issues.push({ path, message: `must have at least ${schema.minItems} items` });
    if (schema.maxItems !== undefined && value.length > schema.maxItems) issues.push({ path, message: `must have at most ${schema.maxItems} items` });
    if (schema.items) value.forEach((item, k) => issues.push(...validateAgainstSchema(item, schema.items!, `${path}[${k}]`)));
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in obj)) issues.push({ path: `${path}.${key}`, message: 'is required' });
    }
    for (const [key, v] of Object.entries(obj)) {
      const sub = schema.properties?.[key];
      if (sub) issues.push(...validateAgainstSchema(v, sub, `${path}.${key}`));
      else if (schema.additionalProperties === false) issues.push({ path: `${path}.${key}`, message: 'is not allowed' });
      else if (typeof schema.additionalProperties === 'object') issues.push(...validateAgainstSchema(v, schema.additionalProperties, `${path}.${key}`));
    }
  }
  return issues;
}

/** A JSON value that satisfies `schema` as far as a starting point can (used to pre-fill payload editors). */
export function exampleFor(schema: JsonSchema): unknown {
  if (schema.default !== undefined) return schema.default;
  if (schema.examples && schema.examples.length > 0) return schema.examples[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return '';
    case 'number':
    case 'integer':
      return schema.minimum ?? 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'null':
      return null;
    default: {
      const out: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        if ((schema.required ?? []).includes(key) || sub.default !== undefined) out[key] = exampleFor(sub);
      }
      return out;
    }
  }
}
