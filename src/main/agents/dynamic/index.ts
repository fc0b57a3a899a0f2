/**
 * DynamicAgents for the hub: the public API, and the integration (src/main/integration) the
 * composition root adds:
 *
 *   const dynamic = createDynamicAgents({ system, llm, costs, spawnTypes: host.spawnTypes, nodes, log });
 *   host.add(dynamic);   // routes (POST /agents, /agents/:name/code…); start() restores every
 *                        // registered agent; stop() after the actors
 *   main gets dynamic.mainHooks (<spawn> blocks, the agent writer).
 *
 * The service registers its spawn types (dynamic, manual, llm) in `spawnTypes`, where other
 * integrations add theirs. The sandbox (./sandbox) runs each agent's code isolated; see
 * docs/dynamic-agent-isolation.md.
 */
export { createDynamicAgents, type DynamicAgents } from './dynamic-integration.js';
export {
  DynamicAgentService,
  DEFAULT_DYNAMIC_SUPERVISION,
  type DynamicAgentServiceOptions,
  type RemoteSpawnRequest,
  type RemoteNodes,
  type CreateAgentInput,
  type DeployResult,
  type AgentDescription,
  type SpawnReport,
  type CodeAgentKind,
} from './dynamic-agent-service.js';
export { DynamicAgent, type DynamicAgentSpec, type DynamicAgentDeps } from './dynamic-agent.js';
export { DynamicAgentError, type DynamicAgentErrorKind } from './errors.js';
export { approvalTarget } from './approval-target.js';
export { dynamicAgentRoutes, createAgentBodySchema } from './dynamic-routes.js';
export { createMainAgentHooks, converseWithSpawns, type MainAgentHooks } from './main-hooks.js';
export { writeAgent, type AgentWriterDeps, type WriteAgentResult } from './agent-writer.js';
export { spawnSpecSchema, parseSpawnSpec, SPAWN_TYPES, AGENT_NAME_PATTERN, type SpawnSpec } from './spawn-spec.js';
export { extractSpawnBlocks, parseSpawnBlock, parseLenientJson, type SpawnBlockResult } from './spawn-blocks.js';
export { filterSpawnBlocks, type SpawnStreamFilter } from './spawn-stream-filter.js';
export { checkAgentCode, typeCheckAgent, describeDiagnostics, type CodeCheck } from './code-check.js';
export { agentApiReference, agentApiSummary, spawnPromptSection, agentWriterSystemPrompt } from './prompt/agent-api-prompt.js';
export { AGENT_STATE_KEY } from './state-saver.js';
