/**
 * The DynamicAgent service's own spawn types (integration/spawn-types.ts), registered by the
 * service in the registry it spawns from:
 * - `dynamic` (generated code; also brings back `catalog` recipes and any entry with code) and
 *   `manual` (code a person maintains): DynamicAgents through the service's create — checked,
 *   tried, versioned; with a `node` they are placed on that node;
 * - `llm`: an LLMAgent with the spec's `system_prompt`, billed to its own name.
 */
import type { SpawnRequest, SpawnType } from '../../integration/spawn-types.js';
import type { CostTracker } from '../../llm/cost-tracker.js';
import type { LlmProvider } from '../../llm/provider.js';
import { createLlmAgent } from '../llm/create-llm-agent.js';
import { readStoredConfig, type StoredConfig } from './agent-config.js';
import type { DynamicAgentService } from './dynamic-agent-service.js';
import { lowerFirst } from './service-helpers.js';
import type { SpawnSpec } from './spawn-spec.js';
import { createInputFromSpec } from './spec-mapping.js';

/** The service validated every spec with spawnSpecSchema before it reaches a type. */
const asSpec = (spec: SpawnRequest): SpawnSpec => spec as unknown as SpawnSpec;
const what = (spec: SpawnRequest): string => (spec.description ? `: ${spec.description}` : '');

function codeType(service: DynamicAgentService, type: 'dynamic' | 'manual'): SpawnType {
  return {
    type,
    ...(type === 'dynamic' ? { kinds: ['catalog'] } : {}),
    runsOnNodes: true,
    async spawn(request, ctx) {
      const spec = asSpec(request);
      const r = await service.create(createInputFromSpec(spec, { source: ctx.source, install: spec.install, replace: spec.replace, ...(spec.node ? { node: spec.node } : {}), ...(ctx.asker ? { asker: ctx.asker } : {}) }));
      const waits = r.approval ? { approval: r.approval } : {};
      const tail = r.approval ? ` ${r.approval.message}` : '';
      if (r.node) return { message: `${r.message ?? `Spawned ${r.name} on node ${r.node}.`}${spec.description ? ` It ${lowerFirst(spec.description)}` : ''}${tail}`, version: r.version, ...waits };
      return { message: `Spawned ${r.name} (version ${r.version})${what(spec)}.${tail}`, version: r.version, ...waits };
    },
    restore: (entry) => service.codeFactory(entry.name),
  };
}

function llmType(llm: LlmProvider, costs: CostTracker): SpawnType {
  const build = (name: string, cfg: StoredConfig) =>
    createLlmAgent({
      name,
      systemPrompt: cfg.system_prompt ?? `You are ${name}.`,
      ...(cfg.description ? { description: cfg.description } : {}),
      ...(cfg.capabilities.length ? { capabilities: cfg.capabilities } : {}),
      llm,
      costs,
    });
  return {
    type: 'llm',
    async spawn(request, ctx) {
      const spec = asSpec(request);
      const cfg = readStoredConfig({ description: spec.description, capabilities: spec.capabilities, system_prompt: spec.system_prompt ?? spec.prompt, source: ctx.source });
      await ctx.place({ kind: 'llm', config: cfg, build: () => build(spec.name, cfg), replace: spec.replace });
      return { message: `Spawned ${spec.name}, an LLM agent${what(spec)}. Talk to it with @${spec.name}.` };
    },
    restore: (entry) => ({ build: () => build(entry.name, readStoredConfig({ ...entry.config })) }),
  };
}

export function dynamicSpawnTypes(service: DynamicAgentService, llm: LlmProvider, costs: CostTracker): SpawnType[] {
  return [codeType(service, 'dynamic'), codeType(service, 'manual'), llmType(llm, costs)];
}
