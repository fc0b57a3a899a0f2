/**
 * DynamicAgents for the hub: the public API. The composition root wires it in three lines:
 *
 *   const dynamic = createDynamicAgents({ system, llm, costs, homeAssistant, log });
 *   system.supervise('main', () => new MainActor({ …, agents: dynamic.mainHooks }));
 *   await system.startSupervised(); await dynamic.restore(); routes.push(dynamic.routes);
 *   // at stop, after the actors: await dynamic.close();
 *
 * The sandbox (./sandbox) runs each agent's code isolated; see docs/dynamic-agents.md.
 */
import type { RoutePlugin } from '../../server/http-app.js';
import { DynamicAgentService, type DynamicAgentServiceOptions } from './dynamic-agent-service.js';
import { dynamicAgentRoutes } from './dynamic-routes.js';
import { createMainAgentHooks, type MainAgentHooks } from './main-hooks.js';

export interface DynamicAgents {
  readonly service: DynamicAgentService;
  /** For MainActor's `agents` option. */
  readonly mainHooks: MainAgentHooks;
  /** The fastify plugin (POST /agents, /agents/:name/code, …). */
  readonly routes: RoutePlugin;
  /** Spawns every registered agent again (call once the core actors run). */
  restore(): ReturnType<DynamicAgentService['restore']>;
  close(): Promise<void>;
}

export function createDynamicAgents(opts: DynamicAgentServiceOptions): DynamicAgents {
  const service = new DynamicAgentService(opts);
  service.start();
  return {
    service,
    mainHooks: createMainAgentHooks({ service, llm: opts.llm, costs: opts.costs, names: () => opts.system.list().map((a) => a.name) }),
    routes: dynamicAgentRoutes(service),
    restore: () => service.restore(),
    close: () => service.close(),
  };
}

export {
  DynamicAgentService,
  DEFAULT_DYNAMIC_SUPERVISION,
  type DynamicAgentServiceOptions,
  type HomeAssistantSpawner,
  type CreateAgentInput,
  type DeployResult,
  type AgentDescription,
  type SpawnReport,
  type CodeAgentKind,
} from './dynamic-agent-service.js';
export { DynamicAgent, type DynamicAgentSpec, type DynamicAgentDeps } from './dynamic-agent.js';
export { DynamicAgentError, type DynamicAgentErrorKind } from './errors.js';
export { dynamicAgentRoutes, createAgentBodySchema } from './dynamic-routes.js';
export { createMainAgentHooks, converseWithSpawns, type MainAgentHooks } from './main-hooks.js';
export { writeAgent, type AgentWriterDeps, type WriteAgentResult } from './agent-writer.js';
export { spawnSpecSchema, parseSpawnSpec, SPAWN_TYPES, AGENT_NAME_PATTERN, type SpawnSpec, type SpawnType } from './spawn-spec.js';
export { extractSpawnBlocks, parseSpawnBlock, parseLenientJson, type SpawnBlockResult } from './spawn-blocks.js';
export { filterSpawnBlocks, type SpawnStreamFilter } from './spawn-stream-filter.js';
export { checkAgentCode, typeCheckAgent, describeDiagnostics, type CodeCheck } from './code-check.js';
export { agentApiReference, agentApiSummary, spawnPromptSection, agentWriterSystemPrompt } from './prompt/agent-api-prompt.js';
export { AGENT_STATE_KEY } from './state-saver.js';
