/**
 * Bodies of the Home Assistant REST routes (no runtime imports: the renderer can mirror this file
 * in src/shared). Errors are the hub's usual `{error, detail}`.
 */
import type { HaEntityView, HomeMapSnapshot } from '../map/home-map-types.js';

export type { HaAreaView, HaDeviceView, HaEntityView, HomeMapSnapshot } from '../map/home-map-types.js';

/** GET /ha/status */
export type HaStatusResponse =
  | { configured: false; reason: string }
  | { configured: true; url: string; status: string; connected: boolean; ha_version: string | null; error: string | null; error_kind: string | null; map_loaded: boolean };

/** GET /ha-map */
export type HaMapResponse = HomeMapSnapshot;

/** GET /ha/entities?domain=&area= */
export interface HaEntitiesResponse {
  entities: HaEntityView[];
  connected: boolean;
  updated_at: number;
}

/** GET /ha/history/:entity_id?since=&until=&limit=&bucket= (epoch seconds) */
export interface HaHistoryResponse {
  entity_id: string;
  numeric: boolean;
  unit: string | null;
  points: Array<{ ts: number; value: number | null; state: string }>;
}

/** POST /ha/entities/:entity_id/toggle */
export interface HaToggleResponse {
  entity_id: string;
  service: string;
  previous_state: string | null;
  state: string | null;
}
