/**
 * The composition root — the one place that builds the hub (like the original's `build_system()`):
 * persistence, the MQTT bus (embedded aedes broker or an external one), the LLM provider, the
 * actor system with its supervised core actors, and the HTTP servers. The headless CLI and the
 * Electron main process both call `startWactorz(config)` and get a WactorzHandle back.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { wactorzConfigSchema, type WactorzConfig, type WactorzConfigInput } from './config/config.js';
import type { WactorzHandle } from './wactorz-handle.js';
import type { Bus } from './core/bus.js';
import { ActorSystem } from './core/actor-system.js';
import { openPersistence } from './persistence/open-persistence.js';
import type { Persistence } from './persistence/persistence.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded-broker.js';
import { connectExternalBus } from './broker/external-bus.js';
import { stableClientId } from './broker/client-id.js';
import { createLlmProvider, type ProviderOverrides } from './llm/create-provider.js';
import { describeLlm, resolveLlmConfig } from './llm/llm-config.js';
import { CostTracker } from './llm/cost-tracker.js';
import { openCostStore } from './llm/cost-store.js';
import { withCostTracking } from './llm/tracked-provider.js';
import type { MainChatResult } from './agents/main/main-actor.js';
import { MonitorAgent, monitorTimingFromConfig } from './agents/monitor/monitor-agent.js';
import { IOAgent } from './agents/io/io-agent.js';
import { createHomeAssistantIntegration } from './agents/home-assistant/index.js';
import { createDynamicAgents } from './agents/dynamic/index.js';
import { modulesFor } from './agents/installer/package-modules.js';
import { createCatalogIntegration } from './agents/catalog/integration.js';
import { SettingsStore } from './settings/settings-store.js';
import { SettingsService, startupHaSettings, startupLlmConfig } from './settings/settings-service.js';
import { SwitchableLlmProvider } from './settings/switchable-llm.js';
import { settingsRoutes } from './settings/settings-routes.js';
import { createActorHubApi } from './hub/actor-hub-api.js';
import { llmRoutes } from './hub/llm-routes.js';
import { consoleLogger, type Logger } from './base/logger.js';
import { openHubSecrets } from './secrets/hub-secrets.js';
import { redactingLogger } from './base/redact.js';
import type { SecretStore } from './secrets/secret-store.js';
import { defaultDashboardDir } from './hub/dashboard-dir.js';
import { createHttpApp, listenHttp, type RoutePlugin } from './server/http-app.js';
import { authRoutes } from './server/auth-routes.js';
import { createNetworkEdges, type NetworkEdges } from './server/network-edges.js';
import { openApiRoutes } from './server/openapi/openapi-routes.js';
import { HttpMetrics } from './server/original/http-metrics.js';
import type { OriginalConfigDeps } from './server/original/config-route.js';
import { NodeRegistry, RemoteAwareMainActor, nodeRoutes, withNodeCommands, type NodeRegistryOptions } from './nodes/index.js';
import { createGraph } from './graph/index.js';
import { createFeed } from './feed/index.js';

export interface StartOptions {
  log?: Logger;
  /** Test seams for the LLM SDKs (custom fetch, retry delays). */
  llmOverrides?: ProviderOverrides;
  /** Environment for API_KEY and friends (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Fleet timings (online window, retries…), for tests. */
  nodes?: Partial<Omit<NodeRegistryOptions, 'bus' | 'persistence' | 'system' | 'log'>>;
  /** Called with the new dashboard token after POST /auth/token/rotate (the desktop app keeps it). */
  onTokenRotated?: (token: string) => void;
  /** Where secrets live (the desktop's keychain); default `<stateDir>/secrets.json`, owner-only. */
  secrets?: SecretStore;
}

/** Undo stack: whatever has started is closed again if a later step fails, and at stop(). */
class Closers {
  private readonly items: (() => Promise<void> | void)[] = [];
  add(fn: () => Promise<void> | void): void {
    this.items.push(fn);
  }
  async closeAll(log: Logger): Promise<void> {
    for (const fn of this.items.splice(0).reverse()) {
      try {
        await fn();
      } catch (e) {
        log('warning', `while stopping: ${(e as Error).message}`);
      }
    }
  }
}

export async function startWactorz(input: WactorzConfigInput, opts: StartOptions = {}): Promise<WactorzHandle & { nodes: NodeRegistry }> {
  const config: WactorzConfig = wactorzConfigSchema.parse(input);
  // Credentials in URLs never reach a log line, whoever writes it.
  const log = redactingLogger(opts.log ?? consoleLogger());
  const env = opts.env ?? process.env;
  const closers = new Closers();
  const startedAt = Date.now();
  try {
    const persistence: Persistence = await openPersistence({
      stateDir: config.stateDir,
      redisUrl: config.redisUrl,
      nativeBinding: config.nativeBinding,
      log: (level, message) => log(level, message),
    });
    closers.add(() => persistence.close());
    // The secret store; older secrets moved into it (agents' env values out of wactorz.db).
    const secrets = await openHubSecrets({ stateDir: config.stateDir, db: persistence.db, store: opts.secrets, log });

    // Settings saved from the dashboard complete what the configuration leaves open.
    const settingsStore = new SettingsStore(persistence, secrets.store);
    const saved = await settingsStore.load();
    if (!config.mqtt.broker && saved.settings.mqtt.broker) {
      config.mqtt = { ...config.mqtt, broker: saved.settings.mqtt.broker, port: saved.settings.mqtt.port ?? config.mqtt.port, username: saved.settings.mqtt.username ?? undefined, password: saved.secrets.mqttPassword };
    }

    // Tokens, Host/Origin policy, login throttle, broker credentials, publish limits (server/network-edges.ts).
    const edges = createNetworkEdges({ ...config, mqttUsername: config.mqtt.username, mqttPassword: config.mqtt.password }, env, log);
    const { tokens } = edges;
    const { bus, broker, mqttMode, mqttPort } = await connectBus(config, log, edges);
    closers.add(() => (broker ? broker.close() : bus.close()));
    tokens.onRotate((token) => {
      if (broker) edges.brokerAuth().closeRevoked(broker.aedes);
      opts.onTokenRotated?.(token);
    });

    const llmConfig = startupLlmConfig(config.llm, saved.settings, saved.secrets);
    // Switchable: a provider chosen in the dashboard's settings replaces it under running agents.
    const llm = new SwitchableLlmProvider(createLlmProvider(llmConfig, opts.llmOverrides), describeLlm(llmConfig));
    const llmSummary = llm.summary;
    const costs = new CostTracker();
    // The bill survives restarts: restored now, saved after every change.
    const costStore = await openCostStore(costs, persistence, { log });
    closers.add(() => costStore.close());

    const system = new ActorSystem({
      bus,
      persistence,
      heartbeatMs: config.timing.heartbeatMs,
      onLog: (actor, level, message) => {
        if (level !== 'debug') log(level, `${actor.name}: ${message}`);
      },
    });
    closers.add(() => system.shutdown());
    // Remote nodes: placements, the durable command outbox, node heartbeats and alerts, tasks by name.
    const nodes = new NodeRegistry({ bus, persistence, system, log: (level, message) => log(level, message), ...opts.nodes });
    closers.add(() => nodes.stop());
    // The activity feed and the graph of agents (issue 16): listening before any actor starts.
    const feed = createFeed({ system, nodes, log });
    feed.start();
    closers.add(() => feed.stop());
    const graph = createGraph({ system, nodes, log });
    await graph.start();
    closers.add(() => graph.stop());

    // The supervision tree, as the original's build_system(): factories are called fresh on each restart.
    system
      // MainActor bills its own calls (chat, intent, summaries) to 'main': it gets the raw provider.
      .supervise('main', () => withNodeCommands(new RemoteAwareMainActor(nodes, { llm, llmSummary: () => llm.summary, costs, agents: dynamicAgents.mainHooks }), nodes), { maxRestarts: 10 })
      .supervise('monitor', () => new MonitorAgent(monitorTimingFromConfig(config.timing)), { maxRestarts: 10 })
      .supervise('io', () => new IOAgent(), { maxRestarts: 10 });
    // Home Assistant: its routes always answer (404 with the reason when not configured); the
    // agent and the state bridge run when HA_URL/HA_TOKEN (or the settings) name a Home Assistant.
    let haSettings = startupHaSettings(config, env, saved.settings, saved.secrets);
    const homeAssistant = createHomeAssistantIntegration({
      settings: haSettings,
      env,
      persistence,
      llm: withCostTracking(llm, costs, 'home-assistant-agent'),
      log: (level, message) => log(level, `home-assistant: ${message}`),
    });
    closers.add(() => homeAssistant.close());
    if (homeAssistant.connection) {
      system
        .supervise('home-assistant-agent', homeAssistant.makeAgent, { maxRestarts: 5 })
        .supervise('home-assistant-state-bridge', homeAssistant.makeBridge, { maxRestarts: 5 });
    } else log('info', `Home Assistant: ${homeAssistant.reason ?? 'not configured'}`);
    // DynamicAgents: the spawn registry (SQLite), code agents in sandboxes (or on a node), <spawn> blocks, the agent writer.
    const dynamicAgents = createDynamicAgents({
      system,
      llm,
      costs,
      homeAssistant,
      nodes,
      log,
      agentEnv: secrets.agentEnv,
      // Packages an agent declares, from the installer's folder (bundled for the sandbox).
      resolveModules: (packages) => modulesFor(catalog.installer.packagesDir, packages),
    });
    closers.add(() => dynamicAgents.close());
    // Catalog (recipes) and installer (npm packages), both protected; the time-series door for agents;
    // the planner that main routes PIPELINE requests to.
    const catalog = createCatalogIntegration({
      system,
      persistence,
      stateDir: config.stateDir,
      llm,
      costs,
      dynamic: () => dynamicAgents.service,
      homeAssistantMissing: () => (homeAssistant.connection ? null : (homeAssistant.reason ?? 'not configured')),
      log,
    });
    catalog.supervise(system);

    await system.startSupervised();
    // Every registered agent comes back with its latest code and state.
    await dynamicAgents.restore();
    // Every node's desired state again, and whatever the outbox still holds for the nodes.
    await nodes.start();

    const chat = async (text: string, ctx: { interface?: string; user?: string; onChunk?: (chunk: string) => void }): Promise<MainChatResult> => {
      const messageId = randomUUID();
      const close = ctx.onChunk ? system.streams.open(messageId, ctx.onChunk) : () => {};
      try {
        const iface = ctx.interface ?? 'api';
        return await system.ask<MainChatResult>('main', { kind: 'chat', text, from: ctx.user ?? iface, interface: iface, message_id: messageId }, 600_000);
      } finally {
        close();
      }
    };

    const hub = createActorHubApi({ system, bus, persistence, llm, costs, mqtt: { mode: mqttMode, port: mqttPort }, startedAt, chat });
    const haAgents = ['home-assistant-agent', 'home-assistant-state-bridge'] as const;
    const settings = new SettingsService({
      store: settingsStore,
      llm,
      llmConfig,
      // A provider chosen in the settings gets its key (and endpoint) from the environment, never the previous provider's.
      providerDefaults: (provider) => (provider === 'none' ? {} : resolveLlmConfig({ llm: provider }, env)),
      llmOverrides: opts.llmOverrides,
      applyHomeAssistant: async (next) => {
        haSettings = next;
        const r = homeAssistant.reconfigure(next);
        for (const name of haAgents) {
          if (!r.configured) {
            if (system.get(name)) await system.remove(name);
          } else if (system.supervisor.isSupervised(name)) await system.command(name, 'restart');
          else await system.spawnSupervised(name, name === 'home-assistant-agent' ? homeAssistant.makeAgent : homeAssistant.makeBridge, { maxRestarts: 5 });
        }
        return r;
      },
      haState: () => ({
        url: haSettings?.url ?? env.HA_URL ?? env.HOME_ASSISTANT_URL ?? null,
        tokenSet: Boolean(haSettings?.token ?? env.HA_TOKEN ?? env.HOME_ASSISTANT_TOKEN),
        configured: homeAssistant.connection !== null,
        ...(homeAssistant.reason ? { reason: homeAssistant.reason } : {}),
      }),
      mqtt: { mode: mqttMode, broker: config.mqtt.broker ?? null, port: mqttPort, username: config.mqtt.username ?? null, passwordSet: Boolean(config.mqtt.password) },
      log: (level, message) => log(level, message),
    });
    const routes: RoutePlugin[] = [llmRoutes({ llm, costs, llmSummary: () => llm.summary }), homeAssistant.routes, settingsRoutes(settings), authRoutes(tokens, log), openApiRoutes()];
    const httpLog = (level: 'info' | 'warning' | 'error', message: string) => log(level, `http: ${message}`);
    // POST /agents, /agents/:name/code|versions|rollback|tasks, DELETE /agents/:name (GET /agents stays the original's).
    routes.push(dynamicAgents.routes);
    // GET /nodes, spawn/remove/migrate/task on a node.
    routes.push(nodeRoutes(nodes));
    // /catalog…, /installer…, /pipelines…, /timeseries…
    routes.push(...catalog.routes);
    // GET /graph, /graph/messages, /feed.
    routes.push(...graph.routes, ...feed.routes);
    // The original monitor's /api/config (no secrets in it), and wactorz_http_* on /metrics, counted on both servers.
    const originalConfig: OriginalConfigDeps = {
      llm: () => ({ provider: llm.name, model: llm.model }),
      mqtt: { host: config.mqtt.broker ?? config.host, port: mqttPort },
      haUrl: () => haSettings?.url ?? env.HA_URL ?? env.HOME_ASSISTANT_URL ?? null,
      env,
    };
    const httpMetrics = new HttpMetrics();

    let dashboardUrl: string | null = null;
    if (config.monitorPort !== null) {
      const app = await createHttpApp({ hub, accessTokens: () => tokens.list(), policy: edges.policy, throttle: edges.throttle, apiPrefix: '/api', dashboardDir: config.dashboardDir ?? defaultDashboardDir(), routes, httpMetrics, originalConfig, log: httpLog });
      closers.add(() => app.close());
      const port = await listenHttp(app, config.host, config.monitorPort, '--monitor-port');
      broker?.attachWebSocket(app.server, '/mqtt', { authorize: edges.mqttUpgrade });
      dashboardUrl = urlFor(config.host, port);
    }

    let restUrl: string | null = null;
    if (config.interface === 'rest') {
      const rest: FastifyInstance = await createHttpApp({ hub, accessTokens: () => tokens.list(), policy: edges.policy, throttle: edges.throttle, apiPrefix: '', routes, httpMetrics, originalConfig, log: httpLog });
      closers.add(() => rest.close());
      restUrl = urlFor(config.host, await listenHttp(rest, config.host, config.restPort, '--port'));
    }

    let stopping: Promise<void> | undefined;
    return {
      dashboardUrl,
      restUrl,
      mqttPort,
      mqttMode,
      llmSummary,
      system,
      bus,
      persistence,
      nodes,
      get dashboardToken() {
        return tokens.dashboardToken;
      },
      processUserInput: async (text, ctx = {}) => (await chat(text, ctx)).reply,
      stop: () => (stopping ??= closers.closeAll(log)),
    };
  } catch (e) {
    await closers.closeAll(log);
    throw e;
  }
}

async function connectBus(
  config: WactorzConfig,
  log: Logger,
  edges: NetworkEdges,
): Promise<{ bus: Bus; broker: EmbeddedBroker | undefined; mqttMode: 'embedded' | 'external'; mqttPort: number }> {
  if (config.mqtt.broker) {
    const url = /^(mqtts?|wss?):\/\//.test(config.mqtt.broker) ? config.mqtt.broker : undefined;
    // A stable client id per hub (host + state dir) gives a persistent session: QoS 1 messages
    // for the hub's subscriptions are kept by the broker while the hub is away.
    const bus = connectExternalBus({
      ...(url ? { url } : { host: config.mqtt.broker, port: config.mqtt.port }),
      username: config.mqtt.username,
      password: config.mqtt.password,
      clientId: stableClientId(`wactorz-hub:${hostname()}:${resolve(config.stateDir)}`),
      log: (level, message) => log(level, `mqtt: ${message}`),
      publishGate: edges.limits,
    });
    log('info', `mqtt: connecting to the external broker ${config.mqtt.broker}:${config.mqtt.port} (reconnects by itself)`);
    return { bus, broker: undefined, mqttMode: 'external', mqttPort: config.mqtt.port };
  }
  // With API_KEY, a dashboard token or a fleet pair — and always beyond loopback — every MQTT client logs in.
  const broker = await startEmbeddedBroker({ host: config.host, port: config.mqtt.port, auth: edges.brokerAuth(), limits: edges.limits, log: (level, message) => log(level, `mqtt: ${message}`) });
  return { bus: broker.bus, broker, mqttMode: 'embedded', mqttPort: broker.port };
}

function urlFor(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}
