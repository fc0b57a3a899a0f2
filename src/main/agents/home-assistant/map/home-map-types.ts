/**
 * What the home map looks like on REST (`GET /ha-map`, `GET /ha/entities`). The contract lives in
 * src/shared/rest.ts (the dashboard reads it too); these are its names on the hub side.
 */
export type { HaAreaView, HaDeviceView, HaEntityView, HaMapResponse as HomeMapSnapshot } from '../../../../shared/rest.js';
