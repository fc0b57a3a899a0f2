/**
 * Runs a list of integrations (integration.ts) on one actor system — the hub's composition root and
 * a node both use it:
 *
 *   const host = new IntegrationHost({ system, teardown, log });
 *   host.add(core).add(nodes).add(homeAssistant).add(dynamic).add(catalog);
 *   await host.start();                   // supervise all → start the actors → start() each
 *   routes = host.routes; commands = host.commands; …
 *   // stop: teardown.close() — the actors stop first, then each integration, newest first
 *
 * Order: supervise() and start() run in add order; drain() and stop() in reverse. The host puts one
 * closer on the teardown stack when it is made — every drain(), then the actors, then every
 * stop() — so servers added later close before it, and the bus and persistence added earlier close
 * after it. An integration is drained and stopped once added, even when a later start-up step fails.
 */
import type { ActorSystem } from '../core/actor-system.js';
import { Teardown } from '../core/teardown.js';
import type { RoutePlugin } from '../server/http-app.js';
import type { ChatCommand, Integration, LiveSettings, WebSocketEndpoint } from './integration.js';
import { SpawnTypes } from './spawn-types.js';

export interface IntegrationHostOptions {
  system: ActorSystem;
  /** The host's own teardown stack (persistence, bus… are on it already). */
  teardown: Teardown;
  log?: (level: 'info' | 'warning' | 'error', message: string) => void;
}

export class IntegrationHost {
  /** Every integration's spawn types (the DynamicAgent service spawns from it). */
  readonly spawnTypes = new SpawnTypes();
  private readonly integrations: Integration[] = [];
  private readonly drains: Teardown;
  private readonly stops: Teardown;
  private started = false;

  constructor(private readonly opts: IntegrationHostOptions) {
    const warn = (level: 'warning', message: string): void => opts.log?.(level, message);
    this.drains = new Teardown(warn);
    this.stops = new Teardown(warn);
    opts.teardown.add('integrations', async () => {
      // No new work in; then the actors (their cleanup may still use a connection or a pool); then the rest.
      await this.drains.close();
      await opts.system.shutdown();
      await this.stops.close();
    });
  }

  /** Adds an integration (before start()); its stop is registered now. */
  add(integration: Integration): this {
    if (this.started) throw new Error(`integration ${integration.name} added after start()`);
    if (this.integrations.some((i) => i.name === integration.name)) throw new Error(`integration ${integration.name} is added twice`);
    this.integrations.push(integration);
    if (integration.drain) this.drains.add(integration.name, () => integration.drain!());
    if (integration.stop) this.stops.add(integration.name, () => integration.stop!());
    for (const t of integration.spawnTypes ?? []) this.spawnTypes.register(t);
    return this;
  }

  /** Registers every supervised actor, starts them (in that order), then each integration's start(). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const i of this.integrations) i.supervise?.(this.opts.system);
    await this.opts.system.startSupervised();
    for (const i of this.integrations) {
      try {
        await i.start?.();
      } catch (e) {
        throw new Error(`${i.name} did not start: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    }
  }

  /** Live settings to every integration that takes them (in add order); the first failure is thrown. */
  async reconfigure(settings: LiveSettings): Promise<void> {
    for (const i of this.integrations) await i.reconfigure?.(settings);
  }

  get names(): string[] {
    return this.integrations.map((i) => i.name);
  }

  get routes(): RoutePlugin[] {
    return this.integrations.flatMap((i) => i.routes ?? []);
  }

  get webSockets(): WebSocketEndpoint[] {
    return this.integrations.flatMap((i) => i.webSockets ?? []);
  }

  get commands(): ChatCommand[] {
    return this.integrations.flatMap((i) => i.commands ?? []);
  }
}
