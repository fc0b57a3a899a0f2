/**
 * The graph of agents for the hub: the public API, an integration (src/main/integration). The
 * composition root adds it before the integrations that restore agents, so their traffic is counted
 * from the first message:
 *
 *   host.add(createGraph({ system, nodes: nodes.registry, log }));
 *   // routes: GET /graph, /graph/messages; start(): subscribes, taps the actors' publishes, ticks;
 *   // stop(): all of it undone
 *
 * docs/topics.md lists its topics.
 */
import type { Integration } from '../integration/integration.js';
import type { RoutePlugin } from '../server/http-app.js';
import { graphRoutes } from './graph-routes.js';
import { GraphService, type GraphServiceOptions } from './graph-service.js';

export interface GraphPart extends Integration {
  readonly name: 'graph';
  readonly service: GraphService;
  readonly routes: RoutePlugin[];
  start(): Promise<void>;
  stop(): void;
}

export function createGraph(opts: GraphServiceOptions): GraphPart {
  const service = new GraphService(opts);
  return { name: 'graph', service, routes: [graphRoutes(service)], start: () => service.start(), stop: () => service.stop() };
}

export { GraphService, type GraphServiceOptions, type NodesSource } from './graph-service.js';
export { TrafficCounter, isPlumbingTopic } from './traffic-counter.js';
export { buildGraph, filtersOverlap } from './graph-model.js';
