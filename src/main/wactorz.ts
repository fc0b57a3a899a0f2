/**
 * The composition root — the one place that builds the hub (like the original's `build_system()`):
 * persistence, secrets, the MQTT bus (embedded aedes broker or an external one), the LLM provider,
 * the actor system, then a short list of integrations (src/main/integration: core actors, nodes,
 * the activity feed, the graph of agents, Home Assistant, DynamicAgents, catalog, settings, auth)
 * run by an IntegrationHost, and the HTTP servers that mount what they contribute. Everything opened goes on one teardown stack
 * (core/teardown.ts): a start-up that fails halfway closes what it opened, and stop() closes the
 * rest in reverse. The headless CLI and the Electron main process both call `startWactorz(config)`
 * and get a WactorzHandle back.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { wactorzConfigSchema, type WactorzConfig, type WactorzConfigInput } from './config/config.js';
import type { WactorzHandle } from './wactorz-handle.js';
import type { Bus } from './core/bus.js';
import { ActorSystem } from './core/actor-system.js';
import { Teardown } from './core/teardown.js';
import { announceSpawns } from './core/spawn-announcer.js';
import { IntegrationHost } from './integration/integration-host.js';
import { openPersistence } from './persistence/open-persistence.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded-broker.js';
import { connectExternalBus } from './broker/external-bus.js';
import { stableClientId } from './broker/client-id.js';
import { createLlmProvider, type ProviderOverrides } from './llm/create-provider.js';
import { describeLlm, resolveLlmConfig } from './llm/llm-config.js';
import { CostTracker } from './llm/cost-tracker.js';
import { openCostStore } from './llm/cost-store.js';
import { withCostTracking } from './llm/tracked-provider.js';
import { SpendLimit, spendLimitFromEnv } from './llm/spend-limit.js';
import { ChatLog } from './persistence/stores/chat-log.js';
import { createOriginalMonitorApi } from './hub/original-monitor.js';
import { originalMonitorRoutes } from './server/original/monitor-routes.js';
import type { OriginalWs } from './server/original/ws/original-ws.js';
import { monitorTimingFromConfig } from './agents/monitor/monitor-agent.js';
import { createHomeAssistantIntegration } from './agents/home-assistant/index.js';
import { approvalTarget, createDynamicAgents } from './agents/dynamic/index.js';
import { approvalFeedEvent, createApprovalsIntegration } from './approvals/integration.js';
import { modulesFor } from './agents/installer/package-modules.js';
import { createCatalogIntegration } from './agents/catalog/integration.js';
import { SettingsStore } from './settings/settings-store.js';
import { startupHaSettings, startupLlmConfig } from './settings/settings-service.js';
import { createSettingsIntegration } from './settings/settings-integration.js';
import { SwitchableLlmProvider } from './settings/switchable-llm.js';
import { createActorHubApi } from './hub/actor-hub-api.js';
import { askMain, createCoreIntegration } from './hub/core-integration.js';
import { startHttpServers } from './hub/http-servers.js';
import { consoleLogger, type Logger } from './base/logger.js';
import { openHubSecrets } from './secrets/hub-secrets.js';
import { redactingLogger } from './base/redact.js';
import type { SecretStore } from './secrets/secret-store.js';
import { authRoutes } from './server/auth-routes.js';
import { createNetworkEdges, type NetworkEdges } from './server/network-edges.js';
import { HttpMetrics } from './server/original/http-metrics.js';
import { topics } from '../shared/topics.js';
import { attachOriginalWs } from './server/original/ws/original-ws.js';
import { createNodesIntegration, type NodeRegistry, type NodeRegistryOptions } from './nodes/index.js';
import { createGraph } from './graph/index.js';
import { createFeed } from './feed/index.js';

export interface StartOptions {
  log?: Logger;
  /** Test seams for the LLM SDKs (custom fetch, retry delays). */
  llmOverrides?: ProviderOverrides;
  /** Environment for API_KEY and friends (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Fleet timings (online window, retries…), for tests. */
  nodes?: Partial<Omit<NodeRegistryOptions, 'bus' | 'persistence' | 'system' | 'log' | 'secrets'>>;
  /** Called with the new dashboard token after POST /auth/token/rotate (the desktop app keeps it). */
  onTokenRotated?: (token: string) => void;
  /** Where secrets live (the desktop's keychain); default `<stateDir>/secrets.json`, owner-only. */
  secrets?: SecretStore;
  /** Caps and ceilings of approvals (tests); the environment's (WACTORZ_MAX_AGENTS…) otherwise. */
  approvals?: Parameters<typeof createApprovalsIntegration>[0]['limits'];
  /**
   * How the registered agents come back at start (benches compare): `concurrency` agents starting
   * at once (default 256, restore-queue.ts); `background` false makes start wait for them, up to 10 s
   * (the path before the restore queue). Default: in the background, the hub serving meanwhile.
   */
  restore?: { concurrency?: number; background?: boolean };
}

export async function startWactorz(input: WactorzConfigInput, opts: StartOptions = {}): Promise<WactorzHandle & { nodes: NodeRegistry }> {
  const config: WactorzConfig = wactorzConfigSchema.parse(input);
  // Credentials in URLs never reach a log line, whoever writes it.
  const log = redactingLogger(opts.log ?? consoleLogger());
  const env = opts.env ?? process.env;
  // Whatever has started is closed again if a later step fails, and at stop().
  const teardown = new Teardown(log);
  const startedAt = Date.now();
  try {
    const persistence = await openPersistence({ stateDir: config.stateDir, redisUrl: config.redisUrl, nativeBinding: config.nativeBinding, log });
    teardown.add('persistence', () => persistence.close());
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
    teardown.add('mqtt', () => (broker ? broker.close() : bus.close()));
    tokens.onRotate((token) => {
      if (broker) edges.brokerAuth().closeRevoked(broker.aedes);
      opts.onTokenRotated?.(token);
    });

    const llmConfig = startupLlmConfig(config.llm, saved.settings, saved.secrets);
    // Switchable: a provider chosen in the dashboard's settings replaces it under running agents.
    const llm = new SwitchableLlmProvider(createLlmProvider(llmConfig, opts.llmOverrides), describeLlm(llmConfig));
    const costs = new CostTracker();
    // The bill survives restarts: restored now, saved after every change.
    const costStore = await openCostStore(costs, persistence, { log });
    teardown.add('cost store', () => costStore.close());
    // LLM_COST_LIMIT_USD / _PERIOD or POST /api/cost/limit: past the limit every LLM call is refused (kept across restarts).
    const spend = await SpendLimit.open({ costs, persistence, env: spendLimitFromEnv(env), log });
    teardown.add('spend limit', () => spend.close());
    const limit = spend.info();
    if (limit.limit_usd !== null) log('info', `llm: spend limit $${limit.limit_usd} per ${{ daily: 'day', weekly: 'week', monthly: 'month' }[limit.period]} (${limit.limit_source === 'env' ? 'LLM_COST_LIMIT_USD' : 'set at run time'}), $${limit.spend_usd} spent in ${limit.period_key}`);
    // Every chat turn main answers (GET /api/chats, the original dashboard's feed seed), bounded.
    const chatLog = new ChatLog(persistence.db);

    const system = new ActorSystem({
      bus,
      persistence,
      heartbeatMs: config.timing.heartbeatMs,
      onLog: (actor, level, message) => {
        if (level !== 'debug') log(level, `${actor.name}: ${message}`);
      },
    });
    // agents/{id}/spawn and agents/main/spawned, as the original announced spawns (its dashboard's spawn feed).
    teardown.add('spawn announcements', announceSpawns(system));
    // The spend limit's alerts on the refused agent's alert topic (or main's): the dashboard, /ws and the feed show them.
    teardown.add('spend alerts', spend.onAlert((a) => {
      const actor = system.get(a.agent) ?? system.get('main');
      if (actor) system.telemetry.alert(actor, a.message, a.level === 'reached' ? 'critical' : 'warning');
      log('warning', `llm: ${a.message}`);
    }));
    // At stop: every integration drains, the actors stop, then every integration stops (newest first).
    const host = new IntegrationHost({ system, teardown, log });

    // ── the integrations, in supervision order ────────────────────────────────
    // MQTT over WebSocket on the dashboard server (embedded broker; MQTT's CONNECT carries the login).
    if (broker) host.add({ name: 'mqtt', webSockets: [{ path: '/mqtt', ownLogin: true, attach: (server, check) => broker.attachWebSocket(server, '/mqtt', { authorize: check }) }] });
    // The original monitor's /ws: its dashboard's live state, card buttons and chat (a reply goes to the asking socket only).
    const originalWs = { bus, hub: () => hub, log, totalCostUsd: () => costs.total().costUsd, chat: (text: string, onChunk: (c: string) => void) => chat(text, { interface: 'ws', user: 'user', onChunk, announce: false }) };
    let ws: OriginalWs | undefined;
    host.add({
      name: 'original-ws',
      webSockets: [
        {
          path: '/ws',
          attach: (server, check) => {
            ws = attachOriginalWs(server, originalWs, { authorize: check, tokens });
            return ws.close;
          },
        },
      ],
    });
    // main, monitor, io (main gets the DynamicAgent hooks and the other integrations' commands).
    host.add(createCoreIntegration({ llm, costs, chatLog, monitor: monitorTimingFromConfig(config.timing), agents: () => dynamic.mainHooks, commands: () => host.commands }));
    // Remote nodes: placements, the durable command outbox, heartbeats; their agents answer like local ones.
    const nodes = createNodesIntegration({ bus, persistence, system, log, secrets: secrets.store, ...opts.nodes });
    host.add(nodes);
    // The activity feed (listening before any actor starts) and the graph of agents (GET /graph,
    // system/graph): before the integrations that restore agents, so their spawns and traffic are seen.
    // Other parts' news goes through feed.publisher.publish(…) (approvals: their onEvent).
    const feed = createFeed({ system, nodes: nodes.registry, log });
    host.add(feed);
    host.add(createGraph({ system, nodes: nodes.registry, log }));
    // Home Assistant: routes always answer (404 with the reason); agent and state bridge when configured; ha_actuator.
    const homeAssistant = createHomeAssistantIntegration({
      settings: startupHaSettings(config, env, saved.settings, saved.secrets),
      env,
      persistence,
      llm: withCostTracking(llm, costs, 'home-assistant-agent'),
      log: (level, message) => log(level, `home-assistant: ${message}`),
    });
    host.add(homeAssistant);
    // Approvals: what an LLM or agent asks beyond the safe default waits for a person; spawn caps; grants to review.
    const approvals = createApprovalsIntegration({ db: persistence.db, bus, env, ...(opts.approvals ? { limits: opts.approvals } : {}), log });
    host.add(approvals);
    // Approvals asked and given, in the activity feed.
    approvals.approvals.onEvent((e) => {
      const item = approvalFeedEvent(e);
      if (item) feed.publisher.publish(item);
    });
    // DynamicAgents: the spawn registry (SQLite), code agents in sandboxes (or on a node), <spawn> blocks, the agent writer.
    const dynamic = createDynamicAgents({
      system,
      llm,
      costs,
      spawnTypes: host.spawnTypes,
      nodes: nodes.registry,
      // agent.nodes() and agent.capabilities(): the fleet and the catalog's recipes.
      directory: {
        nodes: () => nodes.registry.listNodes().map((n) => ({ node: n.name, online: n.online, agents: n.agents, last_seen: n.last_seen })),
        recipes: () => catalog.catalog.list().map((r) => ({ name: r.manifest.name, description: r.manifest.description, capabilities: r.manifest.capabilities, input_schema: r.manifest.inputs, output_schema: r.manifest.outputs })),
      },
      log,
      agentEnv: secrets.agentEnv,
      // Declared secrets' values from the hub's environment (the one given to startWactorz, not the global one).
      secrets: (name) => env[`WACTORZ_SECRET_${name}`],
      // The hub serves while its agents come back, and says how far it is (GET /health, retained system/restore).
      restoreInBackground: opts.restore?.background ?? true,
      restoreConcurrency: opts.restore?.concurrency,
      onRestoreProgress: (progress) => bus.publish(topics.systemRestore, progress, { retain: true, qos: 1 }),
      // Packages an agent declares, from the installer's folder (bundled for the sandbox).
      resolveModules: (packages) => modulesFor(catalog.installer.packagesDir, packages),
      gate: approvals.approvals,
      // Bus refusals of agent code (src/main/grants) join approvals' refusal log, for audit.
      refusals: (r) => approvals.approvals.recordRefusal({ agent: r.agent, reason: r.action, items: [r.target], message: r.node ? `${r.message} (on node ${r.node})` : r.message, by: 'hub' }),
    });
    approvals.approvals.attach(approvalTarget(dynamic.service));
    host.add(dynamic);
    // Catalog (recipes) and installer (npm packages), both protected; the time-series door; the planner.
    const catalog = createCatalogIntegration({
      system,
      persistence,
      stateDir: config.stateDir,
      llm,
      costs,
      dynamic: () => dynamic.service,
      homeAssistantMissing: () => (homeAssistant.connection ? null : (homeAssistant.reason ?? 'not configured')),
      log,
    });
    host.add(catalog);
    // GET/PUT /settings, applied live (the LLM switch; Home Assistant through reconfigure).
    host.add(
      createSettingsIntegration({
        store: settingsStore,
        llm,
        llmConfig,
        // A provider chosen in the settings gets its key (and endpoint) from the environment, never the previous provider's.
        providerDefaults: (provider) => (provider === 'none' ? {} : resolveLlmConfig({ llm: provider }, env)),
        llmOverrides: opts.llmOverrides,
        homeAssistant,
        reconfigure: (s) => host.reconfigure(s),
        mqtt: { mode: mqttMode, broker: config.mqtt.broker ?? null, port: mqttPort, username: config.mqtt.username ?? null, passwordSet: Boolean(config.mqtt.password) },
        log,
      }),
    );
    // POST /auth/token/rotate.
    host.add({ name: 'auth', routes: [authRoutes(tokens, log)] });

    await host.start();

    // ── HTTP: the original's routes plus every integration's ─────────────────
    const chat = (text: string, ctx: { interface?: string; user?: string; onChunk?: (chunk: string) => void; announce?: boolean }) => askMain(system, text, ctx);
    const hub = createActorHubApi({ system, bus, persistence, llm, costs, mqtt: { mode: mqttMode, port: mqttPort }, startedAt, chat, restore: () => dynamic.service.restoreProgress() });
    // The original monitor's /cost, /cost/limit, /cost/reset, /actors/{id}/history, /chats, /reset (and /feed at the dashboard's root).
    const monitor = createOriginalMonitorApi({ system, costs, spend, chatLog, llmSummary: () => llm.summary, ws: () => ws });
    const { dashboardUrl, restUrl } = await startHttpServers({
      config,
      hub,
      edges,
      routes: [...host.routes, originalMonitorRoutes(monitor)],
      rootRoutes: [originalMonitorRoutes(monitor, { feedSeed: true })],
      webSockets: host.webSockets,
      // wactorz_http_* on /metrics, counted on both servers; the original monitor's /api/config (no secrets in it).
      httpMetrics: new HttpMetrics(),
      originalConfig: {
        llm: () => ({ provider: llm.name, model: llm.model }),
        mqtt: { host: config.mqtt.broker ?? config.host, port: mqttPort },
        haUrl: () => homeAssistant.state().url,
        env,
      },
      teardown,
      log,
    });

    return {
      dashboardUrl,
      restUrl,
      mqttPort,
      mqttMode,
      llmSummary: llm.summary,
      system,
      bus,
      persistence,
      nodes: nodes.registry,
      get dashboardToken() {
        return tokens.dashboardToken;
      },
      processUserInput: async (text, ctx = {}) => (await chat(text, ctx)).reply,
      stop: () => teardown.close(),
    };
  } catch (e) {
    await teardown.close();
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
