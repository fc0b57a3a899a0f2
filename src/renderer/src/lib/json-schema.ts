/**
 * JSON Schema in the dashboard: validation is the hub's own (src/shared/json-schema.ts, zod 4's
 * JSON-schema support), so a payload or a config the dashboard accepts is one the hub accepts.
 * What is only the dashboard's: a starting value to pre-fill payload editors and forms.
 */
import { validateJsonSchema, type JsonSchema, type SchemaIssue } from '../../../shared/json-schema.js';

export { asJsonSchema, type JsonSchema, type SchemaIssue } from '../../../shared/json-schema.js';

/** Checks `value` against `schema`; returns every issue found (empty when valid). */
export function validateAgainstSchema(value: unknown, schema: JsonSchema, path = '$'): SchemaIssue[] {
  return validateJsonSchema(value, schema, path);
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
