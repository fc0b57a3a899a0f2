/** Validation of GET /pipelines and GET /nodes as the dashboard reads them (lenient, like the rest). */
import { z } from 'zod';
import type { NodeInfo, PipelineListResponse } from '../../../shared/rest.js';

const strings = z.array(z.string()).catch([]).default([]);
const stringOrList = z.preprocess((v) => (typeof v === 'string' ? [v] : (v ?? [])), z.array(z.string())).catch([]);

const pipelineAgentSchema = z.looseObject({
  name: z.string(),
  role: z.string().catch('').default(''),
  type: z.string().catch('dynamic').default('dynamic'),
  recipe: z.string().optional(),
  subscribes: strings,
  publishes: strings,
  state: z.string().catch('absent').default('absent'),
});

const pipelineTopicSchema = z.looseObject({
  topic: z.string(),
  from: stringOrList,
  to: stringOrList,
  description: z.string().catch('').default(''),
});

export const pipelineSchema = z.looseObject({
  id: z.string(),
  description: z.string().catch('').default(''),
  request: z.string().catch('').default(''),
  summary: z.string().catch('').default(''),
  agents: z.array(pipelineAgentSchema).catch([]).default([]),
  topics: z.array(pipelineTopicSchema).catch([]).default([]),
  warnings: strings,
  enabled: z.boolean().catch(true).default(true),
  created_at: z.number().catch(0).default(0),
  updated_at: z.number().catch(0).default(0),
});

export const pipelineListSchema = z.looseObject({ pipelines: z.array(pipelineSchema) }) satisfies z.ZodType<PipelineListResponse>;

export const nodeInfoSchema = z.looseObject({
  name: z.string(),
  online: z.boolean().catch(false),
  last_seen: z.number().nullable().catch(null).default(null),
  agents: strings,
  agent_states: z.record(z.string(), z.string()).catch({}).default({}),
  load: z.array(z.number()).nullable().catch(null).default(null),
  memory_mb: z.number().nullable().catch(null).default(null),
  cpus: z.number().nullable().catch(null).default(null),
  hostname: z.string().nullable().catch(null).default(null),
  placed: strings,
  pending_commands: z.number().catch(0).default(0),
  alert: z.enum(['warning', 'critical']).nullable().catch(null).default(null),
}) satisfies z.ZodType<NodeInfo>;

export const nodeListSchema = z.array(nodeInfoSchema);
