/**
 * The original's discovery calls of the agent API, answered by the hub: `agent.nodes()` (the
 * fleet), `agent.capabilities(keyword)` (running actors and catalog recipes with what they take and
 * give: the original's `list_capabilities`, `running`/`spawnable`), and `agent.declareContract`
 * (what an agent says it publishes and consumes — shown in its manifest, never a grant: what an
 * agent may publish or read is decided when it is spawned, and agent-host.ts checks it on every
 * call). The sources are the integrations that know them (nodes, catalog), passed in as functions
 * so that this file needs neither.
 */
import type { AgentContract, CapabilityInfo, NodeSummary } from '../../../shared/agent-api.js';
import type { ActorSystem } from '../../core/actor-system.js';
import type { AgentHost } from './sandbox/index.js';

/** A catalog recipe as `capabilities()` shows it. */
export interface RecipeCapability {
  name: string;
  description: string;
  capabilities: string[];
  input_schema?: unknown;
  output_schema?: unknown;
}

/** Where the answers come from (absent: no nodes, no recipes). */
export interface AgentDirectory {
  nodes?(): NodeSummary[];
  recipes?(): RecipeCapability[];
}

/** Case-insensitive match of `keyword` in the name, description or a capability ('' matches all). */
function matches(c: CapabilityInfo, keyword: string): boolean {
  const k = keyword.trim().toLowerCase();
  if (!k) return true;
  return c.name.toLowerCase().includes(k) || c.description.toLowerCase().includes(k) || c.capabilities.some((x) => x.toLowerCase().includes(k));
}

const schema = (v: unknown): unknown => (v === null || v === undefined ? {} : v);

export function capabilitiesOf(system: ActorSystem, directory: AgentDirectory | undefined, keyword: string): CapabilityInfo[] {
  const out: CapabilityInfo[] = system.list().map((a) => ({
    name: a.name,
    description: a.description,
    capabilities: [...a.capabilities],
    input_schema: schema(a.inputSchema),
    output_schema: schema(a.outputSchema),
    running: a.state === 'running',
    spawnable: false,
    kind: a.kind,
  }));
  const names = new Set(out.map((c) => c.name));
  for (const r of directory?.recipes?.() ?? []) {
    if (names.has(r.name)) continue;
    out.push({ name: r.name, description: r.description, capabilities: [...r.capabilities], input_schema: schema(r.input_schema), output_schema: schema(r.output_schema), running: false, spawnable: true, kind: 'catalog' });
  }
  return out.filter((c) => matches(c, keyword));
}

/** The host's members for these calls; `onContract` receives a declared contract (the actor keeps it for its manifest). */
export function directoryHost(system: ActorSystem, directory: AgentDirectory | undefined, onContract?: (c: AgentContract) => void): Pick<AgentHost, 'nodes' | 'capabilities' | 'declareContract'> {
  return {
    nodes: async () => directory?.nodes?.() ?? [],
    capabilities: async (keyword) => capabilitiesOf(system, directory, keyword),
    ...(onContract ? { declareContract: onContract } : {}),
  };
}
