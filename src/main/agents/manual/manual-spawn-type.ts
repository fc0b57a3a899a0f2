/**
 * The `manual_agent` spawn type (integration/spawn-types.ts): how the catalog's `manual-agent`
 * recipe (and a `<spawn>{"type": "manual_agent", …}</spawn>` block) becomes a running ManualAgent.
 * The spec's `config` is validated with manualAgentConfigSchema before anything changes; the agent
 * is placed through the DynamicAgent service (`ctx.place`: the name's lock, the spawn registry,
 * supervision, approvals) and built again from the stored config at every hub start.
 */
import type { SpawnType } from '../../integration/spawn-types.js';
import type { CostTracker } from '../../llm/cost-tracker.js';
import type { LlmProvider } from '../../llm/provider.js';
import { withCostTracking } from '../../llm/tracked-provider.js';
import { manualAgentConfigSchema, type ManualAgentConfig } from '../../../shared/manual-agent.js';
import { ManualAgent } from './manual-agent.js';
import type { ManualNetSeams } from './manual-fetcher.js';

export const MANUAL_AGENT_TYPE = 'manual_agent';

export interface ManualAgentTypeOptions {
  /** The hub's provider; each agent's calls are billed to its own name. */
  llm: LlmProvider;
  costs: CostTracker;
  /** safe-fetch's test seams (a resolver for test host names, a transport to the test's server); never set by the hub. */
  testNet?: ManualNetSeams;
}

function parseConfig(raw: unknown): ManualAgentConfig {
  const r = manualAgentConfigSchema.safeParse(raw ?? {});
  if (!r.success) throw new Error(`invalid manual-agent config: ${r.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ')}`);
  return r.data;
}

export function manualAgentSpawnType(o: ManualAgentTypeOptions): SpawnType {
  const build = (name: string, description: string, config: ManualAgentConfig): ManualAgent =>
    new ManualAgent({ name, ...(description ? { description } : {}), config, llm: withCostTracking(o.llm, o.costs, name), ...(o.testNet ? { net: o.testNet } : {}) });
  return {
    type: MANUAL_AGENT_TYPE,
    async spawn(spec, ctx) {
      const config = parseConfig(spec.config);
      const description = typeof spec.description === 'string' ? spec.description : '';
      const stored = { description, capabilities: [...spec.capabilities], source: ctx.source, config };
      await ctx.place({ kind: MANUAL_AGENT_TYPE, config: stored, build: () => build(spec.name, description, config), replace: spec.replace });
      return { message: `Spawned ${spec.name} (the device-manual assistant). Ask it with @${spec.name} load the manual for <device>, then @${spec.name} <your question>.`, version: 1 };
    },
    restore(entry) {
      const description = typeof entry.config.description === 'string' ? entry.config.description : '';
      // A stored config this version no longer accepts falls back to the defaults rather than losing the agent.
      const r = manualAgentConfigSchema.safeParse(entry.config.config ?? {});
      return { build: () => build(entry.name, description, r.success ? r.data : manualAgentConfigSchema.parse({})) };
    },
  };
}
