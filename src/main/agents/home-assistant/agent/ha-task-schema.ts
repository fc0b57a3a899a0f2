/**
 * Structured tasks the HomeAssistantAgent runs without an LLM, e.g.
 * `@home-assistant-agent {"action":"call_service","domain":"light","service":"turn_on","entity_id":"light.living_room"}`.
 * The original's names (`list_entities`, `list_areas`, `get_state`…) are accepted as aliases.
 */
import { z } from 'zod';
import { domainSchema, entityIdSchema, haAutomationConfigSchema, serviceNameSchema } from '../client/ha-schemas.js';

const entityIds = z.union([entityIdSchema, z.array(entityIdSchema).min(1)]);
/** The config id (`1718…`, `porch_sunset`) or the automation's entity id (`automation.porch_light`). */
const automationId = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'automation ids are letters, digits, ".", "_" and "-"');

export const callServiceTaskSchema = z.object({
  action: z.literal('call_service'),
  domain: domainSchema,
  service: serviceNameSchema,
  entity_id: entityIds.optional(),
  /** Service data (brightness, message…); `service_data` is accepted too. */
  data: z.record(z.string(), z.unknown()).optional(),
  service_data: z.record(z.string(), z.unknown()).optional(),
  target: z
    .object({ entity_id: entityIds.optional(), area_id: z.union([z.string(), z.array(z.string())]).optional(), device_id: z.union([z.string(), z.array(z.string())]).optional() })
    .optional(),
});

export const haTaskSchema = z.discriminatedUnion('action', [
  callServiceTaskSchema,
  z.object({ action: z.literal('states'), domain: domainSchema.optional(), area: z.string().optional() }),
  z.object({ action: z.literal('state'), entity_id: entityIdSchema }),
  z.object({ action: z.literal('entities'), domain: domainSchema.optional(), area: z.string().optional() }),
  z.object({ action: z.literal('services'), domain: domainSchema.optional() }),
  z.object({ action: z.literal('areas') }),
  z.object({ action: z.literal('devices'), area: z.string().optional() }),
  z.object({ action: z.literal('map') }),
  z.object({ action: z.literal('create_automation'), automation_id: automationId.optional(), config: haAutomationConfigSchema }),
  z.object({ action: z.literal('get_automation'), automation_id: automationId }),
  z.object({ action: z.literal('list_automations') }),
  z.object({ action: z.literal('delete_automation'), automation_id: automationId }),
  z.object({ action: z.literal('history'), entity_id: entityIdSchema, since: z.number().optional(), until: z.number().optional(), limit: z.number().int().positive().max(10_000).optional() }),
  z.object({ action: z.literal('status') }),
]);
export type HaTask = z.infer<typeof haTaskSchema>;
export type HaTaskAction = HaTask['action'];
export const HA_TASK_ACTIONS: readonly HaTaskAction[] = haTaskSchema.options.map((o) => o.shape.action.value);

const ALIASES: Record<string, HaTaskAction> = {
  list_entities: 'entities',
  get_entities: 'entities',
  list_states: 'states',
  get_states: 'states',
  get_state: 'state',
  list_services: 'services',
  get_services: 'services',
  list_areas: 'areas',
  list_devices: 'devices',
  home_map: 'map',
  get_history: 'history',
  remove_automation: 'delete_automation',
};

/**
 * Normalises what people and agents send before validation: aliases, `id` for `automation_id`,
 * a create_automation whose config fields sit at the top level, `operation` for `action`.
 */
export function normalizeTask(raw: Record<string, unknown>): Record<string, unknown> {
  const t: Record<string, unknown> = { ...raw };
  if (t.action === undefined && typeof t.operation === 'string') t.action = t.operation;
  delete t.operation;
  if (typeof t.action === 'string') t.action = ALIASES[t.action] ?? t.action;
  if (t.automation_id === undefined && typeof t.id === 'string' && String(t.action).includes('automation')) {
    t.automation_id = t.id;
    delete t.id;
  }
  if (t.action === 'create_automation' && t.config === undefined) {
    const { action, automation_id, ...config } = t;
    return { action, ...(automation_id !== undefined ? { automation_id } : {}), config };
  }
  return t;
}

/** Validates a structured task; the error lists what is wrong and which actions exist. */
export function parseHaTask(raw: Record<string, unknown>): { ok: true; task: HaTask } | { ok: false; error: string } {
  const t = normalizeTask(raw);
  if (typeof t.action !== 'string' || !(HA_TASK_ACTIONS as readonly string[]).includes(t.action)) {
    return { ok: false, error: `unknown action ${JSON.stringify(t.action)} — use one of: ${HA_TASK_ACTIONS.join(', ')} (or send {"text": "…"} in plain words)` };
  }
  const r = haTaskSchema.safeParse(t);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(task)'}: ${i.message}`).join('; ');
    return { ok: false, error: `invalid ${t.action} task: ${issues}` };
  }
  return { ok: true, task: r.data };
}
