/**
 * Everything Home Assistant, wired for the composition root in one call:
 *
 *   const ha = createHomeAssistantIntegration({ settings: config.homeAssistant, env: process.env, persistence, llm, log });
 *   system.supervise('home-assistant-agent', ha.makeAgent, { maxRestarts: 5 });
 *   system.supervise('home-assistant-state-bridge', ha.makeBridge, { maxRestarts: 5 });
 *   routes.push(ha.routes);
 *   // a <spawn> block with type ha_actuator: await system.spawn(ha.createActuator(spec));
 *   // at shutdown, after the actors: ha.close();
 *   // new URL/token from the dashboard's settings: ha.reconfigure(settings), then restart the two
 *   // supervised actors (their factories pick up the new connection; the routes follow at once).
 *
 * With HA not configured everything still exists: the agents answer with the reason, the routes
 * return 404 with it, and nothing tries to connect.
 */
import type { LlmProvider } from '../../llm/provider.js';
import type { Persistence } from '../../persistence/persistence.js';
import type { RoutePlugin } from '../../server/http-app.js';
import { HomeAssistantAgent } from './agent/home-assistant-agent.js';
import { createHaActuator, type HaActuatorAgent } from './actuator/ha-actuator.js';
import { resolveBridgeOptions } from './bridge/bridge-options.js';
import { HomeAssistantStateBridgeAgent } from './bridge/state-bridge-agent.js';
import { HaStateHistory } from './bridge/state-history.js';
import { type HaConfigResult, haConfigFrom, resolveHaConfig } from './client/ha-config.js';
import { HaConnection, type HaConnectionOptions } from './ha-connection.js';
import { homeAssistantRoutes } from './routes/ha-routes.js';
import type { Logger } from '../../base/logger.js';

export interface HomeAssistantIntegrationOptions {
  /** WactorzConfig.homeAssistant (or the dashboard's settings); wins over the environment when it has a URL. */
  settings?: { url?: string; token?: string };
  /** HA_URL / HA_TOKEN / HOME_ASSISTANT_* and the HA_STATE_BRIDGE_* options. */
  env?: Record<string, string | undefined>;
  persistence: Persistence;
  llm: LlmProvider | null;
  log?: Logger;
  connection?: Omit<HaConnectionOptions, 'log'>;
}

export interface HomeAssistantIntegration {
  /** The current connection; null when HA is not configured (see `reason`). */
  readonly connection: HaConnection | null;
  readonly reason: string | undefined;
  /** Replaces the connection with one for new settings (the old one is closed). Returns the new reason, if any. */
  reconfigure(settings: { url?: string; token?: string }): { configured: boolean; reason?: string };
  readonly history: HaStateHistory;
  /** Supervisor factories (fresh actor per call). */
  makeAgent: () => HomeAssistantAgent;
  makeBridge: () => HomeAssistantStateBridgeAgent;
  /** The fastify plugin for /ha-map, /ha/entities, /ha/history/:id, toggle, /ha/status. */
  routes: RoutePlugin;
  /** Builds an ha_actuator from a `<spawn>` spec; throws TaskError bad_input for an invalid one. */
  createActuator: (spec: unknown) => HaActuatorAgent;
  close(): void;
}

export function createHomeAssistantIntegration(opts: HomeAssistantIntegrationOptions): HomeAssistantIntegration {
  const env = opts.env ?? process.env;
  const open = (resolved: HaConfigResult) => {
    const made = HaConnection.fromConfig(resolved, { ...opts.connection, log: opts.log });
    made.connection?.start();
    return made;
  };
  let current = open(opts.settings?.url ? haConfigFrom(opts.settings) : resolveHaConfig(env));
  const history = new HaStateHistory(opts.persistence.db);
  const bridgeOptions = resolveBridgeOptions(env);
  return {
    get connection() {
      return current.connection;
    },
    get reason() {
      return current.reason;
    },
    reconfigure(settings) {
      current.connection?.close();
      current = open(haConfigFrom(settings));
      return current.connection ? { configured: true } : { configured: false, reason: current.reason };
    },
    history,
    makeAgent: () => new HomeAssistantAgent({ connection: current.connection, notConfiguredReason: current.reason, llm: opts.llm, history }),
    makeBridge: () => new HomeAssistantStateBridgeAgent({ connection: current.connection, notConfiguredReason: current.reason, history, options: bridgeOptions }),
    routes: homeAssistantRoutes({ connection: () => current.connection, notConfiguredReason: () => current.reason ?? '', history }),
    createActuator: (spec) => createHaActuator(spec, { connection: current.connection, notConfiguredReason: current.reason }),
    close: () => current.connection?.close(),
  };
}
