/**
 * The integration contract: how a part of the hub (Home Assistant, DynamicAgents, the catalog,
 * remote nodes, the core actors…) plugs into a host — the hub's `startWactorz` or a node's
 * `startNode` — which then is a short list of integrations (see integration-host.ts).
 *
 * Everything is optional, and each member says one thing the host does with it:
 *
 *   supervise(system)  registers its supervised actors (before any actor starts; in add order)
 *   routes             fastify plugins, mounted on the REST port and under /api/ on the dashboard
 *   webSockets         WebSocket endpoints on the dashboard server (beside MQTT's /mqtt)
 *   commands           chat commands main offers (/nodes, /migrate…), listed by /help
 *   spawnTypes         kinds of agent a spawn spec may ask for (see spawn-types.ts)
 *   start()            once the supervised actors run, in add order (restore agents, subscribe)
 *   drain()            at shutdown, before the actors stop, newest first: stop taking work in
 *                      (unsubscribe commands, close an input) and let what is under way finish
 *   stop()             at shutdown, after the actors stopped, newest first: release what it holds
 *                      (connections, pools, timers). drain() and stop() also run when start-up
 *                      failed later on, so both must be safe without start()
 *   reconfigure(s)     live settings changed (PUT /settings): take the sections you own
 *
 * An integration is created (its constructor may open connections: the host registers its stop at
 * once) and handed to `host.add(…)`. Keep constructors synchronous and cheap; work that waits goes
 * in start().
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { ActorSystem } from '../core/actor-system.js';
import type { RoutePlugin } from '../server/http-app.js';
import type { UpgradeVerdict } from '../server/upgrade-guard.js';
import type { SpawnType } from './spawn-types.js';

/** A chat command main offers (`/name args…`); the reply is what the user reads. */
export interface ChatCommand {
  readonly name: string;
  /** `/migrate <agent> <node>` */
  readonly usage: string;
  /** One line for /help. */
  readonly help: string;
  run(args: string[]): Promise<string> | string;
}

/** A WebSocket endpoint on the dashboard's HTTP server. */
export interface WebSocketEndpoint {
  /** `/ws` — upgrade requests for other paths are left to the server's other listeners. */
  readonly path: string;
  /**
   * The protocol logs in by itself (MQTT's CONNECT carries credentials): the host checks Host and
   * Origin only. Default false: the upgrade must carry the access token too (server/upgrade-guard.ts).
   */
  readonly ownLogin?: boolean;
  /**
   * Takes the server's upgrade requests for `path`; `check` is the hub's verdict for an upgrade
   * (true, or the status and reason to refuse it with) and must be asked before accepting.
   * Returns a function that detaches it.
   */
  attach(server: HttpServer, check: (req: IncomingMessage) => UpgradeVerdict): () => void;
}

/** Settings that change while the hub runs (PUT /settings); each integration reads its section. */
export interface LiveSettings {
  /** New Home Assistant URL/token (either may be absent: not configured). */
  homeAssistant?: { url?: string | undefined; token?: string | undefined };
}

export interface Integration {
  /** For logs and errors: `home-assistant`, `nodes`, `dynamic-agents`… (unique in a host). */
  readonly name: string;
  supervise?(system: ActorSystem): void;
  readonly routes?: readonly RoutePlugin[];
  readonly webSockets?: readonly WebSocketEndpoint[];
  readonly commands?: readonly ChatCommand[];
  readonly spawnTypes?: readonly SpawnType[];
  start?(): Promise<void> | void;
  drain?(): Promise<void> | void;
  stop?(): Promise<void> | void;
  reconfigure?(settings: LiveSettings): Promise<void> | void;
}
