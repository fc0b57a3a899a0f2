/** Filtering and grouping of Home Assistant entities for the Home view (the home map: area → entities). */
import type { HomeEntity } from '../../stores/home-store.js';

export interface HomeFilter {
  /** '' = every domain. */
  domain: string;
  /** '' = every area; UNASSIGNED = entities without an area. */
  area: string;
  query: string;
}

export const UNASSIGNED = '__none__';

export interface AreaGroup {
  /** null for entities with no area. */
  areaId: string | null;
  name: string;
  entities: HomeEntity[];
}

export function filterEntities(list: readonly HomeEntity[], f: HomeFilter): HomeEntity[] {
  const q = f.query.trim().toLowerCase();
  return list.filter((e) => {
    if (f.domain && e.domain !== f.domain) return false;
    if (f.area === UNASSIGNED ? e.area_id !== null : f.area && e.area_id !== f.area) return false;
    if (!q) return true;
    return `${e.name} ${e.entity_id} ${e.area_name ?? ''} ${e.device_name ?? ''} ${e.state ?? ''}`.toLowerCase().includes(q);
  });
}

/** Areas by name (entities by name inside), the unassigned ones last. */
export function groupByArea(list: readonly HomeEntity[]): AreaGroup[] {
  const groups = new Map<string | null, AreaGroup>();
  for (const e of list) {
    let g = groups.get(e.area_id);
    if (!g) {
      g = { areaId: e.area_id, name: e.area_id === null ? 'No area' : (e.area_name ?? e.area_id), entities: [] };
      groups.set(e.area_id, g);
    }
    g.entities.push(e);
  }
  for (const g of groups.values()) g.entities.sort((a, b) => a.name.localeCompare(b.name) || a.entity_id.localeCompare(b.entity_id));
  return [...groups.values()].sort((a, b) => (a.areaId === null ? 1 : 0) - (b.areaId === null ? 1 : 0) || a.name.localeCompare(b.name));
}

/** Domains and areas present, for the filter menus (with counts). */
export function facets(list: readonly HomeEntity[]): { domains: [string, number][]; areas: { id: string; name: string; n: number }[]; unassigned: number } {
  const domains = new Map<string, number>();
  const areas = new Map<string, { id: string; name: string; n: number }>();
  let unassigned = 0;
  for (const e of list) {
    domains.set(e.domain, (domains.get(e.domain) ?? 0) + 1);
    if (e.area_id === null) unassigned++;
    else {
      const a = areas.get(e.area_id) ?? { id: e.area_id, name: e.area_name ?? e.area_id, n: 0 };
      a.n++;
      areas.set(e.area_id, a);
    }
  }
  return {
    domains: [...domains.entries()].sort((a, b) => a[0].localeCompare(b[0])),
    areas: [...areas.values()].sort((a, b) => a.name.localeCompare(b.name)),
    unassigned,
  };
}

/** ISO time → epoch seconds (null when missing or unparseable). */
export function isoToEpoch(iso: string | null): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t / 1000;
}

/** "21.5 °C", "on"… */
export function displayState(e: Pick<HomeEntity, 'state' | 'attributes'>): string {
  if (e.state === null) return '—';
  const unit = e.attributes.unit_of_measurement;
  return typeof unit === 'string' && unit && !Number.isNaN(Number(e.state)) ? `${e.state} ${unit}` : e.state;
}
