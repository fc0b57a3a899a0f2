/**
 * A spawn's config checked against the recipe's `config_schema` (JSON Schema turned into a zod
 * schema by zod's `fromJSONSchema` through src/shared/json-schema.ts — the validator the dashboard
 * uses too — defaults filled in). Secret fields (`secret: true`,
 * `writeOnly: true` or `format: "password"`) are split off: they reach the agent as `agent.env`
 * and never show in the agent's public config.
 */
import type { z } from 'zod';
import { compileJsonSchemaOrThrow } from '../../../shared/json-schema.js';

export interface ConfigIssue {
  path: string;
  message: string;
}

export type ConfigCheck =
  | { ok: true; config: Record<string, unknown>; secrets: Record<string, string> }
  | { ok: false; issues: ConfigIssue[] };

type JsonSchemaProps = Record<string, Record<string, unknown>>;

/** Builds the validator once per recipe; throws when the schema itself is not usable. */
export function compileConfigSchema(schema: { properties: JsonSchemaProps; [k: string]: unknown }): z.ZodType<Record<string, unknown>> {
  // Unknown keys are refused unless the recipe says otherwise: a typo in a config key should not pass silently.
  const withDefaults = { additionalProperties: false, ...schema };
  return compileJsonSchemaOrThrow(withDefaults) as z.ZodType<Record<string, unknown>>;
}

export function secretFields(schema: { properties: JsonSchemaProps }): string[] {
  return Object.entries(schema.properties)
    .filter(([, p]) => p.secret === true || p.writeOnly === true || p.format === 'password')
    .map(([k]) => k);
}

export function checkConfig(validator: z.ZodType<Record<string, unknown>>, secrets: readonly string[], raw: unknown): ConfigCheck {
  const r = validator.safeParse(raw ?? {});
  if (!r.success) return { ok: false, issues: r.error.issues.map((i) => ({ path: i.path.join('.') || '(config)', message: i.message })) };
  const config: Record<string, unknown> = {};
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.data)) {
    if (secrets.includes(k) && v !== undefined && v !== null && v !== '') env[k] = typeof v === 'string' ? v : JSON.stringify(v);
    else config[k] = v;
  }
  return { ok: true, config, secrets: env };
}

export function describeConfigIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
