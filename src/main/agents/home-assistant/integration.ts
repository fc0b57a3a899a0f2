/**
 * Everything Home Assistant, as one integration (src/main/integration) for the hub:
 *
 *   const ha = createHomeAssistantIntegration({ settings, env: process.env, persistence, llm, log });
 *   host.add(ha);   // supervises 'home-assistant-agent', 'home-assistant-state-bridge' and
 *                   // 'home-assistant-map-agent' (the original's, map-agent.ts) when HA is
 *                   // configured; routes /ha-map, /ha/…; the `ha_actuator` spawn type; closes the
 *                   // connection at stop; new URL/token from the settings: reconfigure({homeAssistant})
 *
 * With HA not configured everything still exists: the agents answer with the reason, the routes
 * return 404 with it, an `ha_actuator` spawn is refused with it, and nothing tries to connect.
 * `connect(settings)` swaps the connection only (tests, and reconfigure, which then restarts, starts
 * or removes the two supervised actors: their factories pick up the new connection).
 */
import type { Actor } from '../../core/actor.js';
import type { ActorSystem } from '../../core/actor-system.js';
import type { Integration, LiveSettings } from '../../integration/integration.js';
import type { SpawnType } from '../../integration/spawn-types.js';
import type { LlmProvider } from '../../llm/provider.js';
import type { Persistence } from '../../persistence/persistence.js';
import type { RoutePlugin } from '../../server/http-app.js';
import { HomeAssistantAgent, HOME_ASSISTANT_AGENT_NAME } from './agent/home-assistant-agent.js';
import { createHaActuator, type HaActuatorAgent } from './actuator/ha-actuator.js';
import { resolveBridgeOptions } from './bridge/bridge-options.js';
import { HomeAssistantStateBridgeAgent, STATE_BRIDGE_NAME } from './bridge/state-bridge-agent.js';
import { HaStateHistory } from './bridge/state-history.js';
import { type HaConfigResult, haConfigFrom, resolveHaConfig } from './client/ha-config.js';
import { HaConnection, type HaConnectionOptions } from './ha-connection.js';
import { HomeAssistantMapAgent, HOME_ASSISTANT_MAP_AGENT_NAME } from './map/map-agent.js';
import { homeAssistantRoutes } from './routes/ha-routes.js';
import type { Logger } from '../../base/logger.js';

export interface HomeAssistantIntegrationOptions {
  /** WactorzConfig.homeAssistant (or the dashboard's settings); wins over the environment when it has a URL. */
  settings?: { url?: string | undefined; token?: string | undefined } | undefined;
  /** HA_URL / HA_TOKEN / HOME_ASSISTANT_* and the HA_STATE_BRIDGE_* options. */
  env?: Record<string, string | undefined>;
  persistence: Persistence;
  llm: LlmProvider | null;
  log?: Logger;
  connection?: Omit<HaConnectionOptions, 'log'>;
}

export interface HomeAssistantIntegration extends Integration {
  /** The current connection; null when HA is not configured (see `reason`). */
  readonly connection: HaConnection | null;
  readonly reason: string | undefined;
  /** Replaces the connection with one for new settings (the old one is closed); the actors are not touched. */
  connect(settings: { url?: string | undefined; token?: string | undefined }): { configured: boolean; reason?: string };
  /** What the settings page shows: the URL in use, whether a token is set, whether it is configured. */
  state(): { url: string | null; tokenSet: boolean; configured: boolean; reason?: string };
  readonly history: HaStateHistory;
  /** Supervisor factories (fresh actor per call). */
  makeAgent: () => HomeAssistantAgent;
  makeBridge: () => HomeAssistantStateBridgeAgent;
  /** /ha-map, /ha/entities, /ha/history/:id, toggle, /ha/status. */
  readonly routes: readonly RoutePlugin[];
  /** Builds an ha_actuator from a `<spawn>` spec; throws TaskError bad_input for an invalid one. */
  createActuator: (spec: unknown) => HaActuatorAgent;
  /** `ha_actuator`. */
  readonly spawnTypes: readonly SpawnType[];
  close(): void;
}

const SUPERVISION = { maxRestarts: 5 };

export function createHomeAssistantIntegration(opts: HomeAssistantIntegrationOptions): HomeAssistantIntegration {
  const env = opts.env ?? process.env;
  const open = (resolved: HaConfigResult) => {
    const made = HaConnection.fromConfig(resolved, { ...opts.connection, log: opts.log });
    made.connection?.start();
    return made;
  };
  let settings = opts.settings;
  let current = open(settings?.url ? haConfigFrom(settings) : resolveHaConfig(env));
  let system: ActorSystem | undefined;
  const history = new HaStateHistory(opts.persistence.db);
  const bridgeOptions = resolveBridgeOptions(env);
  const makeAgent = (): HomeAssistantAgent => new HomeAssistantAgent({ connection: current.connection, notConfiguredReason: current.reason, llm: opts.llm, history });
  const makeBridge = (): HomeAssistantStateBridgeAgent => new HomeAssistantStateBridgeAgent({ connection: current.connection, notConfiguredReason: current.reason, history, options: bridgeOptions });
  const createActuator = (spec: unknown): HaActuatorAgent => createHaActuator(spec, { connection: current.connection, notConfiguredReason: current.reason });
  const makeMapAgent = (): HomeAssistantMapAgent => new HomeAssistantMapAgent({ connection: current.connection, notConfiguredReason: current.reason, env });
  const agents: [string, () => Actor][] = [
    [HOME_ASSISTANT_AGENT_NAME, makeAgent],
    [STATE_BRIDGE_NAME, makeBridge],
    [HOME_ASSISTANT_MAP_AGENT_NAME, makeMapAgent],
  ];
  const connect = (next: { url?: string | undefined; token?: string | undefined }): { configured: boolean; reason?: string } => {
    settings = next;
    current.connection?.close();
    current = open(haConfigFrom(next));
    return current.connection ? { configured: true } : { configured: false, ...(current.reason ? { reason: current.reason } : {}) };
  };

  const actuator: SpawnType = {
    type: 'ha_actuator',
    async spawn(spec, ctx) {
      if (!current.connection) throw new Error(`Home Assistant is not configured (${current.reason ?? 'set HA_URL and HA_TOKEN'}), so the actuator was not created`);
      // The whole block is the actuator spec (validated by createActuator, before anything changes).
      const config = { description: spec.description, spec: { ...spec }, source: ctx.source };
      await ctx.place({ kind: 'ha_actuator', config, build: () => createActuator(config.spec), replace: spec.replace });
      return { message: `Spawned ${spec.name}, a Home Assistant actuator${spec.description ? `: ${spec.description}` : ''}.` };
    },
    restore: (entry) => ({ build: () => createActuator(entry.config.spec) }),
  };

  return {
    name: 'home-assistant',
    get connection() {
      return current.connection;
    },
    get reason() {
      return current.reason;
    },
    connect,
    state: () => ({
      url: settings?.url ?? env.HA_URL ?? env.HOME_ASSISTANT_URL ?? null,
      tokenSet: Boolean(settings?.token ?? env.HA_TOKEN ?? env.HOME_ASSISTANT_TOKEN),
      configured: current.connection !== null,
      ...(current.reason ? { reason: current.reason } : {}),
    }),
    history,
    makeAgent,
    makeBridge,
    createActuator,
    routes: [homeAssistantRoutes({ connection: () => current.connection, notConfiguredReason: () => current.reason ?? '', history })],
    spawnTypes: [actuator],
    supervise(s) {
      system = s;
      // Its routes always answer (404 with the reason); the agent and the bridge run when HA is configured.
      if (!current.connection) {
        opts.log?.('info', current.reason ?? 'not configured');
        return;
      }
      for (const [name, make] of agents) s.supervise(name, make, SUPERVISION);
    },
    async reconfigure(live: LiveSettings) {
      if (!live.homeAssistant) return;
      const r = connect(live.homeAssistant);
      if (!system) return;
      for (const [name, make] of agents) {
        if (!r.configured) {
          if (system.get(name)) await system.remove(name);
        } else if (system.supervisor.isSupervised(name)) await system.command(name, 'restart');
        else await system.spawnSupervised(name, make, SUPERVISION);
      }
    },
    stop: () => current.connection?.close(),
    close: () => current.connection?.close(),
  };
}
