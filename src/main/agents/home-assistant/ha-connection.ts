/**
 * The hub's one connection to Home Assistant, shared by the HA agent, the state bridge, the
 * actuators and the REST routes: a REST client, a WebSocket client (reconnecting, one event
 * subscription per type) and the home map built from HA's registries. One WebSocket for the whole
 * hub instead of one per agent, as HA's own frontend does.
 */
import { type HaConfig, type HaConfigResult, resolveHaConfig } from './client/ha-config.js';
import { HaError } from './client/ha-error.js';
import { HaRestClient, type HaRestClientOptions } from './client/ha-rest-client.js';
import type { HaServiceDomains, HaState } from './client/ha-schemas.js';
import { HaWsClient, type HaServiceTarget, type HaWsClientOptions, type HaWsStatus } from './client/ha-ws-client.js';
import { HomeMap, type HomeMapOptions } from './map/home-map.js';
import type { Logger } from '../../base/logger.js';

export interface HaConnectionOptions {
  log?: Logger;
  ws?: Omit<HaWsClientOptions, 'log'>;
  rest?: HaRestClientOptions;
  map?: Omit<HomeMapOptions, 'log'>;
}

export interface HaConnectionStatus {
  configured: true;
  url: string;
  status: HaWsStatus;
  connected: boolean;
  ha_version: string | null;
  /** Why it is not connected (unreachable, token refused…). */
  error: string | null;
  error_kind: string | null;
  map_loaded: boolean;
}

export class HaConnection {
  readonly rest: HaRestClient;
  readonly ws: HaWsClient;
  readonly map: HomeMap;
  private servicesCache: { at: number; value: HaServiceDomains } | undefined;

  constructor(
    readonly config: HaConfig,
    opts: HaConnectionOptions = {},
  ) {
    const log = opts.log ?? (() => {});
    this.rest = new HaRestClient(config, opts.rest);
    this.ws = new HaWsClient(config, { ...opts.ws, log });
    this.map = new HomeMap(this.ws, { ...opts.map, log });
  }

  /** Builds a connection from HA_URL/HA_TOKEN (or their HOME_ASSISTANT_ twins); null + reason when not configured. */
  static fromEnv(env: Record<string, string | undefined> = process.env, opts: HaConnectionOptions = {}): { connection: HaConnection; reason?: undefined } | { connection: null; reason: string } {
    return HaConnection.fromConfig(resolveHaConfig(env), opts);
  }

  static fromConfig(result: HaConfigResult, opts: HaConnectionOptions = {}): { connection: HaConnection; reason?: undefined } | { connection: null; reason: string } {
    if (!result.configured) return { connection: null, reason: result.reason };
    return { connection: new HaConnection(result.config, opts) };
  }

  /** Starts the WebSocket (in the background) and the home map. */
  start(): void {
    this.map.start();
    this.ws.start();
  }

  close(): void {
    this.map.stop();
    this.ws.close();
  }

  get connected(): boolean {
    return this.ws.connected;
  }

  status(): HaConnectionStatus {
    const err = this.ws.lastError;
    return {
      configured: true,
      url: this.config.url,
      status: this.ws.status,
      connected: this.ws.connected,
      ha_version: this.ws.haVersion ?? null,
      error: err?.message ?? null,
      error_kind: err?.kind ?? null,
      map_loaded: this.map.loaded,
    };
  }

  /** Throws the clear error when the token was refused, instead of letting every caller time out. */
  assertUsable(): void {
    if (this.ws.status === 'auth_failed' && this.ws.lastError) throw this.ws.lastError;
    if (this.ws.status === 'closed') throw new HaError('unreachable', 'the Home Assistant connection is closed');
  }

  /** All states: over the WebSocket when connected, else REST. */
  async getStates(): Promise<HaState[]> {
    this.assertUsable();
    return this.ws.connected ? this.ws.getStates() : this.rest.getStates();
  }

  /** One state: the home map's copy when it is loaded and live, else REST (HaError not_found for an unknown entity). */
  async getState(entityId: string): Promise<HaState> {
    this.assertUsable();
    if (this.ws.connected && this.map.loaded) {
      const s = this.map.state(entityId);
      if (s) return s;
    }
    return this.rest.getState(entityId);
  }

  /** Services by domain (REST shape), cached for a minute; `fresh` bypasses the cache. */
  async getServices(fresh = false): Promise<HaServiceDomains> {
    this.assertUsable();
    if (!fresh && this.servicesCache && Date.now() - this.servicesCache.at < 60_000) return this.servicesCache.value;
    let value: HaServiceDomains;
    if (this.ws.connected) {
      const byDomain = await this.ws.getServices();
      value = Object.entries(byDomain).map(([domain, services]) => ({ domain, services }));
    } else {
      value = await this.rest.getServices();
    }
    this.servicesCache = { at: Date.now(), value };
    return value;
  }

  /** Calls a service over the WebSocket when connected, else REST. */
  async callService(domain: string, service: string, data: Record<string, unknown> = {}, target?: HaServiceTarget): Promise<void> {
    this.assertUsable();
    if (this.ws.connected) {
      await this.ws.callService(domain, service, data, target);
      return;
    }
    await this.rest.callService(domain, service, { ...data, ...(target ?? {}) });
  }
}
