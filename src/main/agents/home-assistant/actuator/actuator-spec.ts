/**
 * The `ha_actuator` spawn type (the original's HomeAssistantActuatorAgent config): listen on MQTT
 * trigger/detection topics, check a filter, a cooldown and HA conditions, then call HA services.
 *
 *   {"type": "ha_actuator", "name": "hall-motion-actuator", "automation_id": "hall-motion",
 *    "mqtt_topics": ["custom/triggers/hall-motion"], "detection_filter": {"triggered": true},
 *    "actions": [{"domain": "light", "service": "turn_on", "entity_id": "light.hall",
 *                 "service_data": {"brightness": "$payload.level"}}],
 *    "conditions": [{"entity_id": "sun.sun", "attribute": "state", "operator": "eq", "value": "below_horizon"}],
 *    "cooldown_seconds": 10}
 */
import { z } from 'zod';
import { TopicError, assertTopicFilter } from '../../../broker/topic-validation.js';
import { domainSchema, entityIdSchema, serviceNameSchema } from '../client/ha-schemas.js';

export const CONDITION_OPERATORS = ['eq', 'ne', 'gt', 'lt', 'gte', 'lte'] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];
const operatorSchema = z.enum(CONDITION_OPERATORS);

const topicFilterSchema = z.string().superRefine((t, ctx) => {
  try {
    assertTopicFilter(t);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof TopicError ? e.message : `invalid topic filter ${JSON.stringify(t)}` });
  }
});

export const actuatorActionSchema = z.preprocess(
  // The original writes `service_data`; people also write `data`.
  (v) => (v && typeof v === 'object' && !Array.isArray(v) && 'data' in v && !('service_data' in v) ? { ...(v as object), service_data: (v as { data: unknown }).data } : v),
  z.object({
    domain: domainSchema,
    service: serviceNameSchema,
    /** Optional: notify.* and other services target no entity. */
    entity_id: z.union([entityIdSchema, z.array(entityIdSchema).min(1)]).optional(),
    /** Values may be `"$payload.key.path"` (replaced by that field of the trigger payload) or contain it. */
    service_data: z.record(z.string(), z.unknown()).default({}),
  }),
);
export type ActuatorAction = z.infer<typeof actuatorActionSchema>;

export const actuatorConditionSchema = z.object({
  entity_id: entityIdSchema,
  /** `state`, or a dotted path into the state object such as `attributes.elevation`. */
  attribute: z.string().min(1).default('state'),
  operator: operatorSchema.default('eq'),
  value: z.unknown(),
});
export type ActuatorCondition = z.infer<typeof actuatorConditionSchema>;

const filterLiteral = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const filterComparison = z
  .partialRecord(operatorSchema, filterLiteral)
  .refine((o) => Object.keys(o).length === 1, 'a comparison has exactly one operator, e.g. {"gte": 0.8}');
export const detectionFilterSchema = z.record(z.string(), z.union([filterLiteral, filterComparison, z.array(filterLiteral)]));
export type DetectionFilter = z.infer<typeof detectionFilterSchema>;

export const haActuatorSpecSchema = z.looseObject({
  type: z.literal('ha_actuator').optional(),
  /** Actor name; default `actuator-<automation_id>`. */
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'names are letters, digits, ".", "_" and "-"').optional(),
  automation_id: z.string().min(1).max(100),
  description: z.string().default(''),
  mqtt_topics: z.array(topicFilterSchema).min(1, 'an actuator listens on at least one MQTT topic'),
  actions: z.array(actuatorActionSchema).min(1, 'an actuator calls at least one HA service'),
  conditions: z.array(actuatorConditionSchema).default([]),
  /** Top-level payload keys: a literal (equality), a list (one of), or `{op: value}`. null: every message fires. */
  detection_filter: detectionFilterSchema.nullable().default(null),
  cooldown_seconds: z.number().nonnegative().default(10),
});
export type HaActuatorSpec = z.infer<typeof haActuatorSpecSchema>;
export type HaActuatorSpecInput = z.input<typeof haActuatorSpecSchema>;

/** Validates a spawn spec; the error lists every problem with its path. */
export function parseActuatorSpec(raw: unknown): { ok: true; spec: HaActuatorSpec } | { ok: false; error: string } {
  const r = haActuatorSpecSchema.safeParse(raw);
  if (r.success) return { ok: true, spec: r.data };
  return { ok: false, error: `invalid ha_actuator spec: ${r.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`).join('; ')}` };
}

/** The actor name for a spec (the original's `actuator-<first 20 chars of automation_id>`, sanitised). */
export function actuatorName(spec: Pick<HaActuatorSpec, 'name' | 'automation_id'>): string {
  return spec.name ?? `actuator-${spec.automation_id.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 40)}`;
}
