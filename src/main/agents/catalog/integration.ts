/**
 * Catalog, installer, time series and planner, as one integration (src/main/integration):
 *
 *   const catalog = createCatalogIntegration({ system, persistence, stateDir, llm, costs,
 *     dynamic: () => dynamicAgents.service, homeAssistantMissing: () => …, log });
 *   host.add(catalog);   // supervises the four actors; routes /catalog…, /installer…, /pipelines…
 *
 * Spawn types: `manual_agent`, the host recipe `manual-agent` (src/main/agents/manual).
 * Supervised: 'catalog' and 'installer' (protected, as in the original), 'timeseries' (the door
 * from agents to the time_series table) and 'planner' (MainActor routes PIPELINE requests to it).
 * The services live here, outside the actors, so a restarted actor finds its state (installer
 * queue, loaded recipes) and REST calls them directly.
 */
import { join } from 'node:path';
import type { ActorSystem } from '../../core/actor-system.js';
import { actorIdFor } from '../../core/actor-id.js';
import type { CostTracker } from '../../llm/cost-tracker.js';
import type { LlmProvider } from '../../llm/provider.js';
import { withCostTracking } from '../../llm/tracked-provider.js';
import type { Persistence } from '../../persistence/persistence.js';
import type { RoutePlugin } from '../../server/http-app.js';
import type { Integration } from '../../integration/integration.js';
import type { DynamicAgentService } from '../dynamic/dynamic-agent-service.js';
import { InstallerAgent, INSTALLER_AGENT } from '../installer/installer-agent.js';
import { InstallerService } from '../installer/installer-service.js';
import { installerRoutes } from '../installer/installer-routes.js';
import { PlannerAgent } from '../planner/planner-agent.js';
import { PlannerService } from '../planner/planner-service.js';
import { PipelineStore, PLANNER_NAME } from '../planner/pipeline-store.js';
import { pipelineRoutes } from '../planner/pipeline-routes.js';
import { CatalogAgent, CATALOG_AGENT } from './catalog-agent.js';
import { defaultCatalogDir } from './catalog-dir.js';
import { catalogRoutes } from './catalog-routes.js';
import { CatalogService } from './catalog-service.js';
import { TimeSeriesAgent, TIMESERIES_AGENT } from './timeseries-agent.js';
import { manualAgentSpawnType } from '../manual/manual-spawn-type.js';
import type { ManualNetSeams } from '../manual/manual-fetcher.js';
import type { Logger } from '../../base/logger.js';

export interface CatalogIntegrationOptions {
  system: ActorSystem;
  persistence: Persistence;
  stateDir: string;
  /** The hub's provider; the planner's calls are billed to 'planner'. */
  llm: LlmProvider;
  costs: CostTracker;
  dynamic: () => DynamicAgentService | undefined;
  /** Null when Home Assistant is configured, else why not (for ha_actuator plans). */
  homeAssistantMissing?: () => string | null;
  /** Recipe folders (default: the app's catalogue_agents/; `<stateDir>/catalogue_agents` is read too when it exists). */
  catalogDirs?: string[];
  /** Tests only: safe-fetch's seams for manual-agent (test host names, a transport to the test's server). */
  manualTestNet?: ManualNetSeams;
  log?: Logger;
}

export interface CatalogIntegration extends Integration {
  catalog: CatalogService;
  installer: InstallerService;
  planner: PlannerService;
  routes: RoutePlugin[];
  /** Registers catalog, installer, timeseries and planner with the supervisor. */
  supervise(system: ActorSystem): void;
}

export function createCatalogIntegration(o: CatalogIntegrationOptions): CatalogIntegration {
  const log = (part: string): Logger<'info' | 'warning' | 'error'> => (level, message) => o.log?.(level, `${part}: ${message}`);
  const publish = (topic: string, payload: unknown): void => o.system.bus.publish(topic, payload);
  const installer = new InstallerService({ stateDir: o.stateDir, persistence: o.persistence, publish, logTopic: `agents/${actorIdFor(INSTALLER_AGENT)}/logs`, log: log('installer') });
  const catalog = new CatalogService({
    dirs: o.catalogDirs ?? [defaultCatalogDir()],
    optionalDirs: [join(o.stateDir, 'catalogue_agents')],
    dynamic: o.dynamic,
    installer: () => installer,
    log: log('catalog'),
  });
  const planner = new PlannerService({
    system: o.system,
    llm: withCostTracking(o.llm, o.costs, PLANNER_NAME),
    catalog,
    dynamic: o.dynamic,
    store: new PipelineStore(o.persistence),
    ...(o.homeAssistantMissing ? { homeAssistantMissing: o.homeAssistantMissing } : {}),
    publishLog: (entry) => publish(`agents/${actorIdFor(PLANNER_NAME)}/logs`, entry),
    log: log('planner'),
  });
  return {
    name: 'catalog',
    catalog,
    installer,
    planner,
    routes: [catalogRoutes({ catalog, db: o.persistence.db }), installerRoutes(installer), pipelineRoutes(() => planner)],
    // The host recipes' agents (catalogue_agents/manual-agent: PDFs and web search belong to the host).
    spawnTypes: [manualAgentSpawnType({ llm: o.llm, costs: o.costs, ...(o.manualTestNet ? { testNet: o.manualTestNet } : {}) })],
    supervise(system) {
      system
        .supervise(CATALOG_AGENT, () => new CatalogAgent(catalog), { maxRestarts: 10 })
        .supervise(INSTALLER_AGENT, () => new InstallerAgent(installer), { maxRestarts: 10 })
        .supervise(TIMESERIES_AGENT, () => new TimeSeriesAgent(), { maxRestarts: 10 })
        .supervise(PLANNER_NAME, () => new PlannerAgent(planner), { maxRestarts: 5 });
    },
  };
}
