/**
 * A hub for catalog, recipe and planner tests, from the real parts: the embedded aedes broker,
 * SQLite persistence in a temp dir, an ActorSystem, the DynamicAgent service (real sandbox) and
 * the catalog loaded from the repository's `catalogue_agents/`. The LLM, when a test needs one, is
 * the real OpenAI SDK against the scripted wire-protocol server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../../broker/embedded-broker.js';
import { ActorSystem } from '../../../core/actor-system.js';
import { openPersistence } from '../../../persistence/open-persistence.js';
import type { Persistence } from '../../../persistence/persistence.js';
import { CostTracker } from '../../../llm/cost-tracker.js';
import { createLlmProvider } from '../../../llm/create-provider.js';
import type { LlmProvider } from '../../../llm/provider.js';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../../../llm/testing/index.js';
import { DynamicAgentService, type DynamicAgentServiceOptions } from '../../dynamic/dynamic-agent-service.js';
import { CatalogService } from '../catalog-service.js';
import { defaultCatalogDir } from '../catalog-dir.js';
import { TimeSeriesAgent } from '../timeseries-agent.js';
import { InstallerService } from '../../installer/installer-service.js';
import { modulesFor } from '../../installer/package-modules.js';
import { actorIdFor } from '../../../core/actor-id.js';
import { openHubSecrets } from '../../../secrets/hub-secrets.js';

export interface RecipeHub {
  stateDir: string;
  broker: EmbeddedBroker;
  system: ActorSystem;
  persistence: Persistence;
  dynamic: DynamicAgentService;
  catalog: CatalogService;
  /** The real installer service (npm runs only when a test installs something). */
  installer: InstallerService;
  llm: LlmProvider;
  costs: CostTracker;
  /** Present with `{ llm: true }`. */
  llmServer: ScriptedLlmServer | undefined;
  /** Publishes on the bus as an outside client would. */
  publish(topic: string, payload: unknown, opts?: { retain?: boolean }): void;
  /** Collects JSON payloads published on `pattern` (after `await bus.ready()`). */
  collect(pattern: string): Promise<{ topic: string; payload: Json }[]>;
  /** Runs `fn` first thing at close (servers a test started). */
  onClose(fn: () => Promise<void> | void): void;
  close(opts?: { keepState?: boolean }): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests reach into payloads field by field
export type Json = any;

export interface RecipeHubOptions {
  /** Start the scripted LLM server and point the hub's provider at it. */
  llm?: boolean;
  /** Reuse a state dir (a restart). */
  stateDir?: string;
  catalogDirs?: string[];
  /** Extra DynamicAgent service options (e.g. a fetch seam), or a function of the hub's persistence (e.g. Home Assistant). */
  dynamic?: Partial<DynamicAgentServiceOptions> | ((parts: { persistence: Persistence; system: ActorSystem; llm: LlmProvider; costs: CostTracker }) => Partial<DynamicAgentServiceOptions>);
  /** Spawn the time-series actor (default true). */
  timeseries?: boolean;
}

export async function startRecipeHub(opts: RecipeHubOptions = {}): Promise<RecipeHub> {
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'wz-catalog-'));
  const broker = await startEmbeddedBroker({ port: 0, log: () => {} });
  const persistence = await openPersistence({ stateDir });
  // As the composition root: agents' env values in the state dir's secret store, so a restart on the same dir finds them.
  const { agentEnv } = await openHubSecrets({ stateDir, db: persistence.db });
  const system = new ActorSystem({ bus: broker.bus, persistence, heartbeatMs: 60_000 });
  const llmServer = opts.llm ? await startScriptedLlmServer() : undefined;
  const llm = createLlmProvider(llmServer ? { provider: 'openai', apiKey: 'test-key', baseUrl: llmServer.urls.openai, model: 'gpt-4o-mini', timeoutMs: 30_000, maxRetries: 0 } : { provider: 'none', timeoutMs: 1_000, maxRetries: 0 });
  const costs = new CostTracker();
  const installer = new InstallerService({ stateDir, persistence, publish: (t, p) => broker.bus.publish(t, p), logTopic: `agents/${actorIdFor('installer')}/logs` });
  const extra = typeof opts.dynamic === 'function' ? opts.dynamic({ persistence, system, llm, costs }) : opts.dynamic;
  // As the composition root: agents import the packages the installer put in its folder.
  const dynamic = new DynamicAgentService({ system, llm, costs, log: () => {}, resolveModules: (packages) => modulesFor(installer.packagesDir, packages), agentEnv, ...extra });
  dynamic.start();
  const catalog = new CatalogService({ dirs: opts.catalogDirs ?? [defaultCatalogDir()], dynamic: () => dynamic, installer: () => installer });
  if (opts.timeseries !== false) await system.spawn(new TimeSeriesAgent());
  const collected: (() => void)[] = [];
  const closers: (() => Promise<void> | void)[] = [];
  return {
    stateDir,
    broker,
    system,
    persistence,
    dynamic,
    catalog,
    installer,
    llm,
    costs,
    llmServer,
    publish: (topic, payload, o) => broker.bus.publish(topic, payload, o),
    async collect(pattern) {
      const out: { topic: string; payload: Json }[] = [];
      collected.push(
        broker.bus.subscribe(pattern, (topic, raw) => {
          const text = raw.toString('utf8');
          let payload: unknown = text;
          try {
            payload = JSON.parse(text);
          } catch {
            /* not JSON: keep the text */
          }
          out.push({ topic, payload });
        }),
      );
      await broker.bus.ready();
      return out;
    },
    onClose(fn) {
      closers.push(fn);
    },
    async close(o = {}) {
      for (const fn of closers.splice(0).reverse()) await fn();
      for (const off of collected) off();
      await system.shutdown();
      await dynamic.close();
      await broker.close();
      await persistence.close();
      await llmServer?.close();
      if (!o.keepState) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
