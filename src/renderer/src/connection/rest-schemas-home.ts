/**
 * Validation of the Home Assistant REST responses (GET /ha/status, /ha/entities, /ha/history/:id,
 * POST /ha/entities/:id/toggle). Lenient like the other response schemas: extra fields pass,
 * missing optional ones get defaults.
 */
import { z } from 'zod';
import type { HaEntitiesResponse, HaEntityView, HaHistoryResponse, HaStatusResponse, HaToggleResponse } from '../../../shared/rest.js';

const nullableString = z.string().nullable().catch(null).default(null);

export const haEntitySchema = z.looseObject({
  entity_id: z.string(),
  domain: z.string(),
  name: z.string(),
  state: z.string().nullable().catch(null),
  attributes: z.record(z.string(), z.unknown()).catch({}).default({}),
  area_id: nullableString,
  area_name: nullableString,
  device_id: nullableString,
  device_name: nullableString,
  last_changed: nullableString,
  toggleable: z.boolean().catch(false).default(false),
}) satisfies z.ZodType<HaEntityView>;

export const haEntitiesSchema = z.looseObject({
  entities: z.array(haEntitySchema),
  connected: z.boolean().catch(false),
  updated_at: z.number().catch(0),
}) satisfies z.ZodType<HaEntitiesResponse>;

export const haStatusSchema = z.union([
  z.looseObject({ configured: z.literal(false), reason: z.string() }),
  z.looseObject({
    configured: z.literal(true),
    url: z.string(),
    status: z.string(),
    connected: z.boolean(),
    ha_version: nullableString,
    error: nullableString,
    error_kind: nullableString,
    map_loaded: z.boolean().catch(false),
  }),
]) satisfies z.ZodType<HaStatusResponse>;

export const haHistorySchema = z.looseObject({
  entity_id: z.string(),
  numeric: z.boolean(),
  unit: nullableString,
  points: z.array(z.looseObject({ ts: z.number(), value: z.number().nullable().catch(null), state: z.string() })),
}) satisfies z.ZodType<HaHistoryResponse>;

export const haToggleSchema = z.looseObject({
  entity_id: z.string(),
  service: z.string(),
  previous_state: z.string().nullable(),
  state: z.string().nullable(),
}) satisfies z.ZodType<HaToggleResponse>;
