/**
 * How the state bridge publishes, from the environment (the original's variables plus filters):
 *
 *   HA_STATE_BRIDGE_PER_ENTITY=1        publish on <topic>/<domain>/<entity_id> (default 0: one flat topic)
 *   HA_STATE_BRIDGE_OUTPUT_TOPIC=…      base topic (default homeassistant/state_changes)
 *   HA_STATE_BRIDGE_DOMAINS=light,switch  only these domains (default: all)
 *   HA_STATE_BRIDGE_ENTITIES=sensor.*_temperature,light.kitchen  only these entities (globs; default: all)
 *   HA_STATE_BRIDGE_EXCLUDE_ENTITIES=sensor.*_rssi   never these
 *   HA_STATE_HISTORY=0                  do not record state history in SQLite (default: record)
 *   HA_STATE_HISTORY_DAYS=30            keep this many days of history
 */
import { domainOf } from '../client/ha-schemas.js';

export const DEFAULT_STATE_TOPIC = 'homeassistant/state_changes';

export interface StateBridgeOptions {
  perEntity: boolean;
  baseTopic: string;
  /** Empty: every domain. */
  domains: string[];
  /** Entity ids or globs (`*` any run of characters); empty: every entity. */
  entities: string[];
  exclude: string[];
  recordHistory: boolean;
  historyDays: number;
}

export const defaultBridgeOptions = (): StateBridgeOptions => ({
  perEntity: false,
  baseTopic: DEFAULT_STATE_TOPIC,
  domains: [],
  entities: [],
  exclude: [],
  recordHistory: true,
  historyDays: 30,
});

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);

const flag = (v: string | undefined, dflt: boolean): boolean => {
  if (v === undefined || v.trim() === '') return dflt;
  return ['1', 'true', 'yes', 'on'].includes(v.trim().toLowerCase());
};

export function resolveBridgeOptions(env: Record<string, string | undefined> = process.env): StateBridgeOptions {
  const d = defaultBridgeOptions();
  const days = Number(env.HA_STATE_HISTORY_DAYS);
  const topic = env.HA_STATE_BRIDGE_OUTPUT_TOPIC?.trim().replace(/\/+$/, '');
  return {
    perEntity: flag(env.HA_STATE_BRIDGE_PER_ENTITY, d.perEntity),
    baseTopic: topic && !/[#+]/.test(topic) ? topic : d.baseTopic,
    domains: list(env.HA_STATE_BRIDGE_DOMAINS),
    entities: list(env.HA_STATE_BRIDGE_ENTITIES),
    exclude: list(env.HA_STATE_BRIDGE_EXCLUDE_ENTITIES),
    recordHistory: flag(env.HA_STATE_HISTORY, d.recordHistory),
    historyDays: Number.isFinite(days) && days > 0 ? days : d.historyDays,
  };
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** A predicate for "should this entity be bridged": domain allow-list AND entity allow-list AND NOT excluded. */
export function bridgeFilter(opts: Pick<StateBridgeOptions, 'domains' | 'entities' | 'exclude'>): (entityId: string) => boolean {
  const domains = new Set(opts.domains);
  const include = opts.entities.map(globToRegExp);
  const exclude = opts.exclude.map(globToRegExp);
  return (entityId) => {
    if (domains.size > 0 && !domains.has(domainOf(entityId))) return false;
    if (include.length > 0 && !include.some((r) => r.test(entityId))) return false;
    return !exclude.some((r) => r.test(entityId));
  };
}

/** The topic a change is published on. */
export function stateTopic(opts: Pick<StateBridgeOptions, 'perEntity' | 'baseTopic'>, entityId: string): string {
  return opts.perEntity ? `${opts.baseTopic}/${domainOf(entityId)}/${entityId}` : opts.baseTopic;
}
