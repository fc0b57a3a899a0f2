/**
 * DynamicAgents as an integration (src/main/integration), for the hub and for a node:
 *
 *   const dynamic = createDynamicAgents({ system, llm, costs, spawnTypes: host.spawnTypes, nodes, log });
 *   host.add(dynamic);   // routes (POST /agents, /agents/:name/code…); start() restores every
 *                        // registered agent; stop() after the actors
 *   main gets dynamic.mainHooks (<spawn> blocks, the agent writer).
 *
 * Kept out of index.ts (the public API, a rung above) so that nodes/ can build on it too.
 */
import type { Integration } from '../../integration/integration.js';
import type { RoutePlugin } from '../../server/http-app.js';
import { DynamicAgentService, type DynamicAgentServiceOptions } from './dynamic-agent-service.js';
import { dynamicAgentRoutes } from './dynamic-routes.js';
import { createMainAgentHooks, type MainAgentHooks } from './main-hooks.js';

export interface DynamicAgents extends Integration {
  readonly service: DynamicAgentService;
  /** For MainActor's `agents` option. */
  readonly mainHooks: MainAgentHooks;
  /** POST /agents, /agents/:name/code, … */
  readonly routes: readonly RoutePlugin[];
}

export function createDynamicAgents(opts: DynamicAgentServiceOptions): DynamicAgents {
  const service = new DynamicAgentService(opts);
  service.start();
  return {
    name: 'dynamic-agents',
    service,
    mainHooks: createMainAgentHooks({ service, llm: opts.llm, costs: opts.costs, names: () => opts.system.list().map((a) => a.name) }),
    routes: [dynamicAgentRoutes(service)],
    // Every registered agent comes back with its latest code and state (failures are logged).
    start: async () => void (await service.restore()),
    stop: () => service.close(),
  };
}

