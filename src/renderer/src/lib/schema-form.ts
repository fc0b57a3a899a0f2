/**
 * A form generated from a recipe's JSON config schema: one field per property, typed inputs,
 * secrets masked, defaults filled in; the values turn back into a config object with errors per field.
 */
import { validateAgainstSchema, type JsonSchema } from './json-schema.js';

export type FieldKind = 'text' | 'secret' | 'number' | 'integer' | 'boolean' | 'select' | 'list' | 'json' | 'textarea';
export type FormValue = string | boolean;

export interface FormField {
  key: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  options?: string[];
  placeholder?: string;
  schema: JsonSchema;
}

const SECRET_NAME = /(password|passwd|secret|token|api[_-]?key|apikey|webhook_url|credential)/i;

function primaryType(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  return s.type;
}

function humanise(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function fieldsFromSchema(schema: JsonSchema | null | undefined): FormField[] {
  if (!schema?.properties) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([key, sub]) => {
    const type = primaryType(sub);
    let kind: FieldKind;
    let options: string[] | undefined;
    if (sub.enum && sub.enum.every((e) => typeof e === 'string' || typeof e === 'number')) {
      kind = 'select';
      options = sub.enum.map(String);
    } else if (type === 'boolean') kind = 'boolean';
    else if (type === 'integer') kind = 'integer';
    else if (type === 'number') kind = 'number';
    else if (type === 'array' && (sub.items === undefined || ['string', 'number', 'integer'].includes(primaryType(sub.items) ?? ''))) kind = 'list';
    else if (type === 'object' || type === 'array') kind = 'json';
    else if (sub.secret || sub.writeOnly || sub.format === 'password' || SECRET_NAME.test(key)) kind = 'secret';
    else if (sub.format === 'textarea' || sub.format === 'multiline' || (sub.maxLength ?? 0) > 200) kind = 'textarea';
    else kind = 'text';
    const field: FormField = { key, label: sub.title ?? humanise(key), kind, required: required.has(key), schema: sub };
    if (sub.description) field.description = sub.description;
    if (options) field.options = options;
    const example = sub.examples?.[0];
    if (example !== undefined && typeof example !== 'object') field.placeholder = String(example);
    else if (sub.format === 'uri') field.placeholder = 'https://…';
    return field;
  });
}

export function initialValues(fields: FormField[]): Record<string, FormValue> {
  const values: Record<string, FormValue> = {};
  for (const f of fields) {
    const d = f.schema.default;
    if (f.kind === 'boolean') values[f.key] = d === true;
    else if (d === undefined || d === null) values[f.key] = f.kind === 'select' && f.required && f.options ? f.options[0]! : '';
    else if (f.kind === 'list' && Array.isArray(d)) values[f.key] = d.map(String).join('\n');
    else if (f.kind === 'json') values[f.key] = JSON.stringify(d, null, 2);
    else values[f.key] = String(d);
  }
  return values;
}

export type FormResult = { ok: true; config: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/** Turns form values into the config object the recipe expects; empty optional fields are left out. */
export function valuesToConfig(fields: FormField[], values: Record<string, FormValue>): FormResult {
  const config: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const raw = values[f.key];
    if (f.kind === 'boolean') {
      config[f.key] = raw === true;
      continue;
    }
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (text === '') {
      if (f.required) errors[f.key] = 'required';
      continue;
    }
    let value: unknown = text;
    if (f.kind === 'number' || f.kind === 'integer') {
      const n = Number(text);
      if (!Number.isFinite(n)) {
        errors[f.key] = 'must be a number';
        continue;
      }
      if (f.kind === 'integer' && !Number.isInteger(n)) {
        errors[f.key] = 'must be a whole number';
        continue;
      }
      value = n;
    } else if (f.kind === 'select') {
      // An enum of numbers comes back as a number.
      const match = f.schema.enum?.find((e) => String(e) === text);
      value = match ?? text;
    } else if (f.kind === 'list') {
      const itemType = f.schema.items ? primaryType(f.schema.items) : 'string';
      const parts = text.split(/[\n,]/).map((p) => p.trim()).filter((p) => p !== '');
      value = itemType === 'number' || itemType === 'integer' ? parts.map(Number) : parts;
    } else if (f.kind === 'json') {
      try {
        value = JSON.parse(text);
      } catch (e) {
        errors[f.key] = `not valid JSON: ${(e as Error).message}`;
        continue;
      }
    }
    const issues = validateAgainstSchema(value, f.schema, f.key);
    if (issues.length > 0) {
      errors[f.key] = issues.map((i) => (i.path === f.key ? i.message : `${i.path.slice(f.key.length)} ${i.message}`)).join('; ');
      continue;
    }
    config[f.key] = value;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, config };
}
