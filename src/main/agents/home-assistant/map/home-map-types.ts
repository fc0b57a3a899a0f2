/**
 * What the home map looks like on REST (`GET /ha-map`, `GET /ha/entities`). No runtime imports,
 * so the renderer's copy in src/shared can be this file verbatim.
 */
export interface HaEntityView {
  entity_id: string;
  domain: string;
  /** The name HA shows: registry name → friendly_name → original name → entity id. */
  name: string;
  /** null for an entity in the registry without a current state. */
  state: string | null;
  attributes: Record<string, unknown>;
  /** The entity's own area, else its device's. */
  area_id: string | null;
  area_name: string | null;
  device_id: string | null;
  device_name: string | null;
  last_changed: string | null;
  /** A light/switch/fan/input_boolean… that the dashboard can toggle. */
  toggleable: boolean;
}

export interface HaDeviceView {
  id: string;
  name: string;
  manufacturer: string | null;
  model: string | null;
  area_id: string | null;
  entity_ids: string[];
}

export interface HaAreaView {
  area_id: string;
  name: string;
  aliases: string[];
  devices: HaDeviceView[];
  entities: HaEntityView[];
}

export interface HomeMapSnapshot {
  areas: HaAreaView[];
  /** Devices and entities with no area. */
  unassigned: { devices: HaDeviceView[]; entities: HaEntityView[] };
  counts: { areas: number; devices: number; entities: number };
  /** Epoch seconds of the last change applied. */
  updated_at: number;
  connected: boolean;
}
