/**
 * Bodies of the Home Assistant REST routes. The contract lives in src/shared/rest.ts (the dashboard
 * reads it too). Errors are the hub's usual `{error, detail}`.
 */
export type {
  HaAreaView,
  HaDeviceView,
  HaEntityView,
  HaMapResponse,
  HaMapResponse as HomeMapSnapshot,
  HaStatusResponse,
  HaEntitiesResponse,
  HaHistoryResponse,
  HaToggleResponse,
} from '../../../../shared/rest.js';
