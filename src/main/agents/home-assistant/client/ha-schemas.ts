/**
 * Runtime schemas for what Home Assistant sends us (REST bodies, WebSocket results and events).
 * Objects are loose: HA adds fields in every release and we pass them through untouched.
 * Only the fields we rely on are required.
 */
import { z } from 'zod';

/** `light.living_room`: a domain and an object id, lower-case letters, digits and underscores. */
export const ENTITY_ID_PATTERN = /^[a-z0-9_]+\.[a-z0-9_]+$/;
export const entityIdSchema = z.string().regex(ENTITY_ID_PATTERN, 'expected an entity id like light.living_room');
export const domainSchema = z.string().regex(/^[a-z0-9_]+$/, 'expected a domain like light');
export const serviceNameSchema = z.string().regex(/^[a-z0-9_]+$/, 'expected a service like turn_on');

export const domainOf = (entityId: string): string => entityId.slice(0, entityId.indexOf('.'));

export const haContextSchema = z.looseObject({
  id: z.string(),
  parent_id: z.string().nullable().optional(),
  user_id: z.string().nullable().optional(),
});

export const haStateSchema = z.looseObject({
  entity_id: entityIdSchema,
  state: z.string(),
  attributes: z.record(z.string(), z.unknown()).default({}),
  last_changed: z.string().optional(),
  last_updated: z.string().optional(),
  last_reported: z.string().optional(),
  context: haContextSchema.optional(),
});
export type HaState = z.infer<typeof haStateSchema>;
export const haStatesSchema = z.array(haStateSchema);

export const haServiceFieldSchema = z.looseObject({
  name: z.string().optional(),
  description: z.string().optional(),
  required: z.boolean().optional(),
  example: z.unknown().optional(),
  selector: z.unknown().optional(),
});
export const haServiceSchema = z.looseObject({
  name: z.string().optional(),
  description: z.string().optional(),
  fields: z.record(z.string(), z.unknown()).default({}),
  target: z.unknown().optional(),
});
export type HaService = z.infer<typeof haServiceSchema>;

/** REST `GET /api/services`: one entry per domain. */
export const haServiceDomainsSchema = z.array(
  z.looseObject({ domain: z.string(), services: z.record(z.string(), haServiceSchema) }),
);
export type HaServiceDomains = z.infer<typeof haServiceDomainsSchema>;

/** WebSocket `get_services`: `{domain: {service: description}}`. */
export const haServicesByDomainSchema = z.record(z.string(), z.record(z.string(), haServiceSchema));

/** REST `POST /api/services/<d>/<s>`: the states that changed (or, with return_response, an object). */
export const haServiceCallRestResultSchema = z.union([
  haStatesSchema,
  z.looseObject({ changed_states: haStatesSchema, service_response: z.unknown().optional() }),
]);

/** WebSocket `call_service` result. */
export const haServiceCallWsResultSchema = z
  .looseObject({ context: haContextSchema.optional(), response: z.unknown().optional() })
  .nullable();

export const haAreaSchema = z.looseObject({
  area_id: z.string(),
  name: z.string(),
  aliases: z.array(z.string()).optional(),
  floor_id: z.string().nullable().optional(),
  icon: z.string().nullable().optional(),
  picture: z.string().nullable().optional(),
});
export type HaArea = z.infer<typeof haAreaSchema>;

export const haDeviceSchema = z.looseObject({
  id: z.string(),
  name: z.string().nullable().optional(),
  name_by_user: z.string().nullable().optional(),
  area_id: z.string().nullable().optional(),
  manufacturer: z.string().nullable().optional(),
  model: z.string().nullable().optional(),
  disabled_by: z.string().nullable().optional(),
  via_device_id: z.string().nullable().optional(),
});
export type HaDevice = z.infer<typeof haDeviceSchema>;

export const haEntityEntrySchema = z.looseObject({
  entity_id: entityIdSchema,
  name: z.string().nullable().optional(),
  original_name: z.string().nullable().optional(),
  device_id: z.string().nullable().optional(),
  area_id: z.string().nullable().optional(),
  platform: z.string().optional(),
  disabled_by: z.string().nullable().optional(),
  hidden_by: z.string().nullable().optional(),
  entity_category: z.string().nullable().optional(),
  icon: z.string().nullable().optional(),
});
export type HaEntityEntry = z.infer<typeof haEntityEntrySchema>;

export const haAreasSchema = z.array(haAreaSchema);
export const haDevicesSchema = z.array(haDeviceSchema);
export const haEntityEntriesSchema = z.array(haEntityEntrySchema);

/** An automation's stored config (`/api/config/automation/config/<id>`). HA accepts both the old singular and the new plural keys. */
export const haAutomationConfigSchema = z.looseObject({
  id: z.string().optional(),
  alias: z.string().min(1),
  description: z.string().optional(),
  mode: z.enum(['single', 'restart', 'queued', 'parallel']).optional(),
  trigger: z.unknown().optional(),
  triggers: z.unknown().optional(),
  condition: z.unknown().optional(),
  conditions: z.unknown().optional(),
  action: z.unknown().optional(),
  actions: z.unknown().optional(),
});
export type HaAutomationConfig = z.infer<typeof haAutomationConfigSchema>;

/** `{"result": "ok"}` from the automation config endpoints. */
export const haOkSchema = z.looseObject({ result: z.string() });

/** The `data` of a `state_changed` event. Either side is null when an entity appears or goes away. */
export const haStateChangedDataSchema = z.looseObject({
  entity_id: entityIdSchema,
  old_state: haStateSchema.nullable(),
  new_state: haStateSchema.nullable(),
});
export type HaStateChangedData = z.infer<typeof haStateChangedDataSchema>;

export const haEventSchema = z.looseObject({
  event_type: z.string(),
  data: z.unknown(),
  origin: z.string().optional(),
  time_fired: z.string().optional(),
  context: haContextSchema.optional(),
});
export type HaEvent = z.infer<typeof haEventSchema>;

export const REGISTRY_EVENT_TYPES = ['area_registry_updated', 'device_registry_updated', 'entity_registry_updated'] as const;
export type RegistryEventType = (typeof REGISTRY_EVENT_TYPES)[number];

export const haRegistryUpdatedDataSchema = z.looseObject({
  action: z.string(),
  area_id: z.string().optional(),
  device_id: z.string().optional(),
  entity_id: z.string().optional(),
  old_entity_id: z.string().optional(),
});

/** A WebSocket frame in the command phase: results, events, pongs. Anything else is dropped. */
export const haWsFrameSchema = z.looseObject({ type: z.string(), id: z.number().int().optional() });

/** A WebSocket error: `{code, message}`. */
export const haWsErrorSchema = z.looseObject({ code: z.union([z.string(), z.number()]), message: z.string() });
