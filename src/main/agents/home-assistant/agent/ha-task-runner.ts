/**
 * Runs structured HA tasks against the connection. Everything is checked before HA is called:
 * an unknown entity, domain or service is an error that names it and suggests the closest real
 * ones, because HA itself silently ignores a service call on an entity that does not exist.
 */
import { TaskError } from '../../../core/errors.js';
import { HaError } from '../client/ha-error.js';
import { type HaAutomationConfig, type HaState, domainOf } from '../client/ha-schemas.js';
import type { HaConnection } from '../ha-connection.js';
import type { HaEntityView } from '../map/home-map.js';
import type { HaStateHistory } from '../bridge/state-history.js';
import type { HaTask } from './ha-task-schema.js';
import { didYouMean } from './suggest.js';

export interface HaTaskResult {
  /** A sentence for people (chat, CLI). */
  result: string;
  data?: unknown;
  [extra: string]: unknown;
}

export interface ServiceCallSpec {
  domain: string;
  service: string;
  entityIds: string[];
  data: Record<string, unknown>;
  /** area_id / device_id targets (entity ids go in `entityIds`). */
  target?: { area_id?: string | string[]; device_id?: string | string[] };
}

/** Turns an HaError into the TaskError the actor answers with (kind kept: auth, unreachable, not_found…). */
export function taskErrorFrom(e: unknown): unknown {
  if (e instanceof HaError) return new TaskError(e.message, e.kind);
  return e;
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export class HaTaskRunner {
  constructor(
    private readonly connection: HaConnection,
    private readonly history: HaStateHistory | null = null,
  ) {}

  async run(task: HaTask): Promise<HaTaskResult> {
    try {
      return await this.dispatch(task);
    } catch (e) {
      throw taskErrorFrom(e);
    }
  }

  private async dispatch(task: HaTask): Promise<HaTaskResult> {
    const conn = this.connection;
    switch (task.action) {
      case 'call_service': {
        const entityIds = [...new Set([...asList(task.entity_id), ...asList(task.target?.entity_id)])];
        const target = task.target ? { area_id: task.target.area_id, device_id: task.target.device_id } : undefined;
        const spec: ServiceCallSpec = { domain: task.domain, service: task.service, entityIds, data: { ...task.service_data, ...task.data }, target };
        return this.callService(spec);
      }
      case 'state': {
        const s = await this.getKnownState(task.entity_id);
        const view = conn.map.entity(task.entity_id);
        return { result: `${view?.name ?? task.entity_id} (${task.entity_id}) is ${describeState(s)}.`, data: s };
      }
      case 'states': {
        let states = await conn.getStates();
        if (task.domain) states = states.filter((s) => domainOf(s.entity_id) === task.domain);
        if (task.area) {
          const ids = new Set((await this.entitiesInArea(task.area)).map((e) => e.entity_id));
          states = states.filter((s) => ids.has(s.entity_id));
        }
        return { result: `${states.length} entit${states.length === 1 ? 'y' : 'ies'}${task.domain ? ` in domain ${task.domain}` : ''}${task.area ? ` in ${task.area}` : ''}.`, data: states };
      }
      case 'entities': {
        await conn.map.ensureLoaded();
        let list = conn.map.entities();
        if (task.domain) list = list.filter((e) => e.domain === task.domain);
        if (task.area) list = await this.entitiesInArea(task.area, list);
        return { result: `${list.length} entit${list.length === 1 ? 'y' : 'ies'}.`, data: list };
      }
      case 'services': {
        const all = await conn.getServices();
        if (task.domain) {
          const d = all.find((x) => x.domain === task.domain);
          if (!d) throw new TaskError(`Home Assistant has no services in domain "${task.domain}"${didYouMean(task.domain, all.map((x) => x.domain))}`, 'not_found');
          return { result: `${task.domain}: ${Object.keys(d.services).join(', ')}.`, data: [d] };
        }
        return { result: `${all.length} domains with services.`, data: all };
      }
      case 'areas': {
        await conn.map.ensureLoaded();
        const snap = conn.map.snapshot();
        const data = snap.areas.map((a) => ({ area_id: a.area_id, name: a.name, aliases: a.aliases, devices: a.devices.length, entities: a.entities.length }));
        return { result: data.length ? `Areas: ${data.map((a) => a.name).join(', ')}.` : 'Home Assistant has no areas.', data };
      }
      case 'devices': {
        await conn.map.ensureLoaded();
        const snap = conn.map.snapshot();
        let devices = [...snap.areas.flatMap((a) => a.devices), ...snap.unassigned.devices];
        if (task.area) {
          const area = this.findArea(task.area);
          devices = devices.filter((d) => d.area_id === area.area_id);
        }
        return { result: `${devices.length} device${devices.length === 1 ? '' : 's'}.`, data: devices };
      }
      case 'map': {
        await conn.map.ensureLoaded();
        const snap = conn.map.snapshot();
        return { result: `${snap.counts.areas} areas, ${snap.counts.devices} devices, ${snap.counts.entities} entities.`, data: snap };
      }
      case 'create_automation':
        return this.createAutomation(task.config, task.automation_id);
      case 'get_automation': {
        const id = await this.resolveAutomationId(task.automation_id);
        const config = await conn.rest.getAutomationConfig(id);
        return { result: `Automation "${config.alias}" (${id}).`, data: config };
      }
      case 'list_automations': {
        const autos = (await conn.getStates())
          .filter((s) => domainOf(s.entity_id) === 'automation')
          .map((s) => ({ entity_id: s.entity_id, id: typeof s.attributes.id === 'string' ? s.attributes.id : null, alias: typeof s.attributes.friendly_name === 'string' ? s.attributes.friendly_name : s.entity_id, state: s.state, last_triggered: s.attributes.last_triggered ?? null }));
        return { result: autos.length ? `${autos.length} automation${autos.length === 1 ? '' : 's'}: ${autos.map((a) => `${a.alias} (${a.state})`).join(', ')}.` : 'There are no automations.', data: autos };
      }
      case 'delete_automation': {
        const id = await this.resolveAutomationId(task.automation_id);
        await conn.rest.deleteAutomationConfig(id);
        return { result: `Deleted automation ${id}.`, data: { automation_id: id } };
      }
      case 'history': {
        if (!this.history) throw new TaskError('HA state history is not recorded here (the state bridge is not running with a database)', 'not_found');
        const h = this.history.query(task.entity_id, { since: task.since, until: task.until, limit: task.limit });
        return { result: `${h.points.length} point${h.points.length === 1 ? '' : 's'} of history for ${task.entity_id}.`, data: h };
      }
      case 'status': {
        const st = conn.status();
        return { result: st.connected ? `Connected to Home Assistant ${st.ha_version ?? ''} at ${st.url}.` : `Not connected to Home Assistant at ${st.url}: ${st.error ?? st.status}.`, data: st };
      }
    }
  }

  /** Validates (entities exist, service exists, entity domains fit) and then calls. */
  async callService(spec: ServiceCallSpec): Promise<HaTaskResult> {
    await this.validateServiceCall(spec);
    const conn = this.connection;
    const target: Record<string, unknown> = { ...(spec.target ?? {}) };
    if (spec.entityIds.length > 0) target.entity_id = spec.entityIds.length === 1 ? spec.entityIds[0] : spec.entityIds;
    for (const k of Object.keys(target)) if (target[k] === undefined) delete target[k];
    await conn.callService(spec.domain, spec.service, spec.data, Object.keys(target).length > 0 ? target : undefined);
    const after: Array<{ entity_id: string; name: string; state: string | null }> = [];
    for (const id of spec.entityIds) {
      const s = await conn.getState(id).catch(() => undefined);
      after.push({ entity_id: id, name: conn.map.entity(id)?.name ?? id, state: s?.state ?? null });
    }
    const on = after.length ? ` on ${after.map((a) => (a.name !== a.entity_id ? `${a.name} (${a.entity_id})` : a.entity_id)).join(', ')}` : '';
    const now = after.length && after.every((a) => a.state !== null) ? ` — now ${after.map((a) => a.state).join(', ')}` : '';
    return { result: `Called ${spec.domain}.${spec.service}${on}${now}.`, data: { domain: spec.domain, service: spec.service, entity_ids: spec.entityIds, service_data: spec.data, states: after } };
  }

  async validateServiceCall(spec: ServiceCallSpec): Promise<void> {
    const conn = this.connection;
    for (const id of spec.entityIds) await this.assertEntityExists(id);
    let services = await conn.getServices();
    let domain = services.find((d) => d.domain === spec.domain);
    if (!domain?.services[spec.service]) {
      services = await conn.getServices(true); // an integration may have just been added
      domain = services.find((d) => d.domain === spec.domain);
    }
    if (!domain) throw new TaskError(`Home Assistant has no services in domain "${spec.domain}"${didYouMean(spec.domain, services.map((d) => d.domain))}`, 'not_found');
    if (!domain.services[spec.service]) {
      throw new TaskError(`Home Assistant has no service ${spec.domain}.${spec.service} — ${spec.domain} offers: ${Object.keys(domain.services).sort().join(', ')}`, 'not_found');
    }
    // HA ignores a light.* call on a switch without a word; say it instead.
    if (spec.domain !== 'homeassistant' && spec.entityIds.length > 0) {
      const entityDomains = new Set(conn.map.entities().map((e) => e.domain));
      for (const id of spec.entityIds) {
        const d = domainOf(id);
        if (d !== spec.domain && entityDomains.has(spec.domain)) {
          const alt = services.find((x) => x.domain === d)?.services[spec.service] ? `${d}.${spec.service}` : `homeassistant.${spec.service}`;
          throw new TaskError(`${spec.domain}.${spec.service} cannot act on ${id} (a ${d} entity) — use ${alt}`, 'bad_input');
        }
      }
    }
  }

  /** Throws not_found with suggestions when HA does not know the entity. */
  async assertEntityExists(entityId: string): Promise<void> {
    await this.getKnownState(entityId);
  }

  private async getKnownState(entityId: string): Promise<HaState> {
    const conn = this.connection;
    if (conn.connected && conn.map.loaded && !conn.map.has(entityId)) throw this.unknownEntity(entityId);
    try {
      return await conn.getState(entityId);
    } catch (e) {
      if (e instanceof HaError && e.kind === 'not_found') throw this.unknownEntity(entityId);
      throw e;
    }
  }

  private unknownEntity(entityId: string): TaskError {
    const known = this.connection.map.entities().map((e) => e.entity_id);
    return new TaskError(`Home Assistant has no entity ${entityId}${didYouMean(entityId, known)}`, 'not_found');
  }

  private findArea(nameOrId: string): { area_id: string; name: string } {
    const want = nameOrId.trim().toLowerCase();
    const areas = this.connection.map.areaList();
    const hit = areas.find((a) => a.area_id === want || a.name.toLowerCase() === want || (a.aliases ?? []).some((x) => x.toLowerCase() === want));
    if (!hit) throw new TaskError(`Home Assistant has no area "${nameOrId}"${areas.length ? ` — areas: ${areas.map((a) => a.name).join(', ')}` : ''}`, 'not_found');
    return hit;
  }

  private async entitiesInArea(nameOrId: string, list?: HaEntityView[]): Promise<HaEntityView[]> {
    await this.connection.map.ensureLoaded();
    const area = this.findArea(nameOrId);
    return (list ?? this.connection.map.entities()).filter((e) => e.area_id === area.area_id);
  }

  private async createAutomation(config: HaAutomationConfig, wantedId?: string): Promise<HaTaskResult> {
    const hasTrigger = config.triggers !== undefined || config.trigger !== undefined;
    const hasAction = config.actions !== undefined || config.action !== undefined;
    if (!hasTrigger || !hasAction) {
      throw new TaskError(`an automation needs ${[!hasTrigger && 'triggers', !hasAction && 'actions'].filter(Boolean).join(' and ')} (HA's automation format: {alias, triggers: [...], conditions?: [...], actions: [...]})`, 'bad_input');
    }
    const id = wantedId ?? `${slug(config.alias)}_${Date.now().toString(36)}`;
    await this.connection.rest.saveAutomationConfig(id, config);
    return { result: `Created automation "${config.alias}" (id ${id}).`, data: { automation_id: id, config: { ...config, id } } };
  }

  /** Accepts a config id or an automation entity id (`automation.x` → its `id` attribute). */
  private async resolveAutomationId(idOrEntity: string): Promise<string> {
    if (!idOrEntity.startsWith('automation.')) return idOrEntity;
    const s = await this.getKnownState(idOrEntity);
    const id = s.attributes.id;
    if (typeof id !== 'string') throw new TaskError(`${idOrEntity} is not editable from the UI (it has no config id — it is probably defined in YAML)`, 'bad_input');
    return id;
  }
}

function describeState(s: HaState): string {
  const unit = s.attributes.unit_of_measurement;
  return typeof unit === 'string' ? `${s.state} ${unit}` : s.state;
}

function slug(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || 'automation';
}
