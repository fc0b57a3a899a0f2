/**
 * The home as Home Assistant's registries describe it — areas, devices, entities — joined with
 * live states, and kept current: state_changed events update states, *_registry_updated events
 * reload the registry they concern, and every (re)connect reloads everything (events missed while
 * HA was away are not replayed).
 */
import type { HaWsClient } from '../client/ha-ws-client.js';
import { type HaArea, type HaDevice, type HaEntityEntry, type HaState, REGISTRY_EVENT_TYPES, type RegistryEventType, domainOf, haRegistryUpdatedDataSchema } from '../client/ha-schemas.js';
import type { HaAreaView, HaDeviceView, HaEntityView, HomeMapSnapshot } from './home-map-types.js';
import type { Logger } from '../../../base/logger.js';

export type { HaAreaView, HaDeviceView, HaEntityView, HomeMapSnapshot } from './home-map-types.js';

/** Domains whose entities have a `toggle` service that flips them on/off. */
export const TOGGLEABLE_DOMAINS: ReadonlySet<string> = new Set(['light', 'switch', 'fan', 'input_boolean', 'automation', 'siren', 'humidifier', 'remote', 'media_player', 'cover']);

type Registry = 'areas' | 'devices' | 'entities';
const REGISTRY_OF: Record<RegistryEventType, Registry> = {
  area_registry_updated: 'areas',
  device_registry_updated: 'devices',
  entity_registry_updated: 'entities',
};

export interface HomeMapOptions {
  log?: Logger;
  /** Coalesces bursts of registry events into one reload (default 150 ms). */
  reloadDebounceMs?: number;
}

export class HomeMap {
  private areas = new Map<string, HaArea>();
  private devices = new Map<string, HaDevice>();
  private entries = new Map<string, HaEntityEntry>();
  private readonly states = new Map<string, HaState>();
  private _loaded = false;
  private _updatedAt = 0;
  private readonly offs: Array<() => void> = [];
  private readonly pendingReload = new Set<Registry>();
  private reloadTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly log: Logger;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly ws: HaWsClient,
    private readonly opts: HomeMapOptions = {},
  ) {
    this.log = opts.log ?? (() => {});
  }

  /** True once registries and states were loaded at least once. */
  get loaded(): boolean {
    return this._loaded;
  }

  start(): void {
    if (this.offs.length > 0) return;
    this.offs.push(
      this.ws.onStatus((status) => {
        // Failures are logged by loadAll; the next reconnect tries again.
        if (status === 'connected') this.reload().catch(() => {});
      }),
      this.ws.onStateChanged((d) => {
        if (d.new_state) this.states.set(d.entity_id, d.new_state);
        else this.states.delete(d.entity_id);
        this.touch();
      }),
    );
    for (const type of REGISTRY_EVENT_TYPES) {
      this.offs.push(
        this.ws.subscribeEvents(type, (ev) => {
          if (!haRegistryUpdatedDataSchema.safeParse(ev.data).success) {
            this.log('warning', `dropped a malformed ${type} event`);
            return;
          }
          this.scheduleReload(REGISTRY_OF[type]);
          // A removed area is cleared from devices and entities too.
          if (type === 'area_registry_updated' && (ev.data as { action?: string }).action === 'remove') {
            this.scheduleReload('devices');
            this.scheduleReload('entities');
          }
        }),
      );
    }
    if (this.ws.connected) this.reload().catch(() => {});
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
    clearTimeout(this.reloadTimer);
  }

  /** Called after every change (for pushing updates to a UI). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Loads everything; concurrent calls share one load. Rejects when HA is unreachable. */
  reload(): Promise<void> {
    this.loading ??= this.loadAll().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** Waits for the first load (or loads now). */
  async ensureLoaded(): Promise<void> {
    if (!this._loaded) await this.reload();
  }

  private async loadAll(): Promise<void> {
    try {
      const [areas, devices, entries, states] = await Promise.all([this.ws.listAreas(), this.ws.listDevices(), this.ws.listEntityRegistry(), this.ws.getStates()]);
      this.areas = new Map(areas.map((a) => [a.area_id, a]));
      this.devices = new Map(devices.map((d) => [d.id, d]));
      this.entries = new Map(entries.map((e) => [e.entity_id, e]));
      this.states.clear();
      for (const s of states) this.states.set(s.entity_id, s);
      this._loaded = true;
      this.touch();
    } catch (e) {
      this.log('warning', `could not load the home map: ${(e as Error).message}`);
      throw e;
    }
  }

  private scheduleReload(which: Registry): void {
    this.pendingReload.add(which);
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reloadRegistries(), this.opts.reloadDebounceMs ?? 150);
  }

  private async reloadRegistries(): Promise<void> {
    const which = [...this.pendingReload];
    this.pendingReload.clear();
    try {
      for (const r of which) {
        if (r === 'areas') this.areas = new Map((await this.ws.listAreas()).map((a) => [a.area_id, a]));
        else if (r === 'devices') this.devices = new Map((await this.ws.listDevices()).map((d) => [d.id, d]));
        else this.entries = new Map((await this.ws.listEntityRegistry()).map((e) => [e.entity_id, e]));
      }
      this.touch();
    } catch (e) {
      // The next (re)connect reloads everything anyway.
      this.log('warning', `could not reload the ${which.join(', ')} registry: ${(e as Error).message}`);
    }
  }

  private touch(): void {
    this._updatedAt = Date.now() / 1000;
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch (e) {
        this.log('error', `a home map listener failed: ${(e as Error).message}`);
      }
    }
  }

  // ── queries ─────────────────────────────────────────────────────────────

  state(entityId: string): HaState | undefined {
    return this.states.get(entityId);
  }

  has(entityId: string): boolean {
    return this.states.has(entityId) || (this.entries.has(entityId) && !this.entries.get(entityId)?.disabled_by);
  }

  entity(entityId: string): HaEntityView | undefined {
    if (!this.has(entityId)) return undefined;
    return this.view(entityId);
  }

  /** Every enabled entity (registry ∪ states), sorted by id. */
  entities(): HaEntityView[] {
    const ids = new Set<string>(this.states.keys());
    for (const [id, e] of this.entries) if (!e.disabled_by) ids.add(id);
    return [...ids].sort().map((id) => this.view(id));
  }

  areaList(): HaArea[] {
    return [...this.areas.values()];
  }

  snapshot(): HomeMapSnapshot {
    const entities = this.entities();
    const deviceViews = new Map<string, HaDeviceView>();
    for (const d of this.devices.values()) {
      if (d.disabled_by) continue;
      deviceViews.set(d.id, { id: d.id, name: deviceName(d), manufacturer: d.manufacturer ?? null, model: d.model ?? null, area_id: d.area_id ?? null, entity_ids: [] });
    }
    for (const e of entities) if (e.device_id) deviceViews.get(e.device_id)?.entity_ids.push(e.entity_id);
    const areas: HaAreaView[] = [...this.areas.values()]
      .map((a) => ({
        area_id: a.area_id,
        name: a.name,
        aliases: a.aliases ?? [],
        devices: [...deviceViews.values()].filter((d) => d.area_id === a.area_id),
        entities: entities.filter((e) => e.area_id === a.area_id),
      }))
      .sort((x, y) => x.name.localeCompare(y.name));
    const known = new Set(this.areas.keys());
    return {
      areas,
      unassigned: {
        devices: [...deviceViews.values()].filter((d) => !d.area_id || !known.has(d.area_id)),
        entities: entities.filter((e) => !e.area_id || !known.has(e.area_id)),
      },
      counts: { areas: areas.length, devices: deviceViews.size, entities: entities.length },
      updated_at: this._updatedAt,
      connected: this.ws.connected,
    };
  }

  private view(entityId: string): HaEntityView {
    const st = this.states.get(entityId);
    const entry = this.entries.get(entityId);
    const device = entry?.device_id ? this.devices.get(entry.device_id) : undefined;
    const areaId = entry?.area_id ?? device?.area_id ?? null;
    const friendly = st?.attributes.friendly_name;
    const domain = domainOf(entityId);
    return {
      entity_id: entityId,
      domain,
      name: entry?.name ?? (typeof friendly === 'string' ? friendly : undefined) ?? entry?.original_name ?? entityId,
      state: st?.state ?? null,
      attributes: st?.attributes ?? {},
      area_id: areaId,
      area_name: areaId ? (this.areas.get(areaId)?.name ?? null) : null,
      device_id: entry?.device_id ?? null,
      device_name: device ? deviceName(device) : null,
      last_changed: st?.last_changed ?? null,
      toggleable: TOGGLEABLE_DOMAINS.has(domain),
    };
  }
}

const deviceName = (d: HaDevice): string => d.name_by_user ?? d.name ?? d.id;
