/**
 * DynamicAgents as an integration (src/main/integration), for the hub and for a node:
 *
 *   const dynamic = createDynamicAgents({ system, llm, costs, spawnTypes: host.spawnTypes, nodes, log });
 *   host.add(dynamic);   // routes (POST /agents, /agents/:name/code…); start() restores every
 *                        // registered agent; drain() starts no more; stop() after the actors
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

export interface DynamicAgentsOptions extends DynamicAgentServiceOptions {
  /**
   * start() kicks the restore off and returns at once (the hub: REST and the dashboard answer while
   * agents come back; tasks for one still waiting wait for it). Default false: start() resolves
   * once they are back (a node, which reports its agents to the hub only after that).
   */
  restoreInBackground?: boolean;
}

export function createDynamicAgents(opts: DynamicAgentsOptions): DynamicAgents {
  const service = new DynamicAgentService(opts);
  service.start();
  return {
    name: 'dynamic-agents',
    service,
    mainHooks: createMainAgentHooks({ service, llm: opts.llm, costs: opts.costs, names: () => opts.system.list().map((a) => a.name) }),
    routes: [dynamicAgentRoutes(service)],
    // Every registered agent comes back with its latest code and state (failures are logged).
    start: async () => {
      const restoring = service.restore();
      if (!opts.restoreInBackground) await restoring;
    },
    // At shutdown nothing more is started; agents still waiting come back at the next start.
    drain: () => service.stopRestoring(),
    stop: () => service.close(),
  };
}

