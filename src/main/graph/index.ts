/**
 * The graph of agents for the hub: the public API. The composition root wires it like any part:
 *
 *   const graph = createGraph({ system, nodes, log });
 *   routes.push(...graph.routes);            // GET /graph, /graph/messages
 *   await graph.start();                     // once the actors run; at stop: graph.stop()
 *
 * (Shaped as an integration: name, routes, start, stop.) docs/topics.md lists its topics.
 */
import type { RoutePlugin } from '../server/http-app.js';
import { graphRoutes } from './graph-routes.js';
import { GraphService, type GraphServiceOptions } from './graph-service.js';

export interface GraphPart {
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
