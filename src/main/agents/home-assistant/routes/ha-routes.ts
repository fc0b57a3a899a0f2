/**
 * REST for the dashboard's Home Assistant view, as a fastify plugin mounted beside the hub's
 * routes (so it is served at the REST root and under /api/ on the dashboard):
 *
 *   GET  /ha/status                       connection status (or why HA is not configured)
 *   GET  /ha-map                          areas → devices → entities, and beside them the original's
 *                                         payload (type, event_type, timestamp, event, devices); 404
 *                                         `Home Assistant map snapshot not available` with the reason
 *   GET  /ha/entities?domain=&area=       entities with state, area and whether they can be toggled
 *   GET  /ha/history/:entity_id?since=&until=&limit=&bucket=   recorded state history for a chart
 *   POST /ha/entities/:entity_id/toggle   toggles a light/switch/…; answers the new state
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { TaskError } from '../../../core/errors.js';
import { originalMapPayload } from '../map/original-map-payload.js';
import { HttpError } from '../../../server/http-error.js';
import { HaError } from '../client/ha-error.js';
import { domainOf, entityIdSchema } from '../client/ha-schemas.js';
import type { HaConnection } from '../ha-connection.js';
import { TOGGLEABLE_DOMAINS } from '../map/home-map.js';
import type { HaStateHistory } from '../bridge/state-history.js';
import { HaTaskRunner } from '../agent/ha-task-runner.js';
import type { HaEntitiesResponse, HaStatusResponse, HaToggleResponse } from './ha-rest-types.js';

export interface HomeAssistantRouteDeps {
  /** The connection, or a getter for it (the dashboard's settings may reconfigure HA at runtime). */
  connection: HaConnection | null | (() => HaConnection | null);
  /** Why HA is not configured (shown in the 404). */
  notConfiguredReason?: string | (() => string);
  history?: HaStateHistory | null;
  /** How long a request waits for the home map's first load (default 10 s). */
  loadTimeoutMs?: number;
}

const historyQuerySchema = z.object({
  since: z.coerce.number().nonnegative().optional(),
  until: z.coerce.number().nonnegative().optional(),
  limit: z.coerce.number().int().positive().max(10_000).optional(),
  bucket: z.coerce.number().int().positive().optional(),
});
const entitiesQuerySchema = z.object({ domain: z.string().optional(), area: z.string().optional() });

/** HaError / TaskError kinds → HTTP statuses. A refused HA token is 502: it is HA's answer, not the caller's credentials. */
function toHttp(e: unknown): unknown {
  const kind = e instanceof HaError || e instanceof TaskError ? e.kind : undefined;
  if (!kind) return e;
  const msg = (e as Error).message;
  switch (kind) {
    case 'not_found':
    case 'not_configured':
      return new HttpError(404, msg);
    case 'bad_input':
    case 'bad_request':
      return new HttpError(400, msg);
    case 'unreachable':
    case 'timeout':
    case 'connection_lost':
      return new HttpError(503, 'Home Assistant is not reachable', msg);
    case 'auth':
      return new HttpError(502, 'Home Assistant rejected the access token', msg);
    default:
      return new HttpError(502, 'Home Assistant request failed', msg);
  }
}

export function homeAssistantRoutes(deps: HomeAssistantRouteDeps): FastifyPluginAsync {
  const current = (): HaConnection | null => (typeof deps.connection === 'function' ? deps.connection() : deps.connection);
  const reason = (): string => (typeof deps.notConfiguredReason === 'function' ? deps.notConfiguredReason() : deps.notConfiguredReason) ?? 'set HA_URL and HA_TOKEN (or enter them in the dashboard settings)';

  /** The connection with its home map loaded, or the right HTTP error. */
  const loaded = async (): Promise<HaConnection> => {
    const conn = current();
    if (!conn) throw new HttpError(404, 'Home Assistant is not configured', reason());
    try {
      conn.assertUsable();
      if (!conn.map.loaded) {
        if (!conn.connected) await conn.ws.waitUntilConnected(deps.loadTimeoutMs ?? 10_000);
        await conn.map.ensureLoaded();
      }
    } catch (e) {
      throw toHttp(e);
    }
    return conn;
  };

  return async (app) => {
    app.get('/ha/status', async (): Promise<HaStatusResponse> => {
      const conn = current();
      return conn ? conn.status() : { configured: false, reason: reason() };
    });

    app.get('/ha-map', async () => {
      let conn: HaConnection;
      try {
        conn = await loaded();
      } catch (e) {
        // The original's words for "no map", our reason in detail.
        if (e instanceof HttpError && e.statusCode === 404) throw new HttpError(404, 'Home Assistant map snapshot not available', e.detail);
        throw e;
      }
      const map = conn.map.snapshot();
      return { ...map, ...originalMapPayload(map) };
    });

    app.get('/ha/entities', async (req): Promise<HaEntitiesResponse> => {
      const q = entitiesQuerySchema.safeParse(req.query);
      if (!q.success) throw new HttpError(400, 'invalid query', q.error.issues.map((i) => i.message).join('; '));
      const conn = await loaded();
      let entities = conn.map.entities();
      if (q.data.domain) entities = entities.filter((e) => e.domain === q.data.domain);
      if (q.data.area) {
        const want = q.data.area.toLowerCase();
        entities = entities.filter((e) => e.area_id === want || e.area_name?.toLowerCase() === want);
      }
      const snap = conn.map.snapshot();
      return { entities, connected: snap.connected, updated_at: snap.updated_at };
    });

    app.get<{ Params: { entity_id: string } }>('/ha/history/:entity_id', async (req) => {
      const id = entityIdSchema.safeParse(req.params.entity_id);
      if (!id.success) throw new HttpError(400, 'invalid entity id', `"${req.params.entity_id}": expected an entity id like sensor.living_room_temperature`);
      const q = historyQuerySchema.safeParse(req.query);
      if (!q.success) throw new HttpError(400, 'invalid query', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      if (!deps.history) throw new HttpError(404, 'HA state history is not recorded', 'the state bridge is not running with a database');
      const { since, until, limit, bucket } = q.data;
      if (since !== undefined && until !== undefined && since > until) throw new HttpError(400, 'invalid query', 'since is after until');
      return deps.history.query(id.data, { since, until, limit, bucketSeconds: bucket });
    });

    app.post<{ Params: { entity_id: string } }>('/ha/entities/:entity_id/toggle', async (req): Promise<HaToggleResponse> => {
      const id = entityIdSchema.safeParse(req.params.entity_id);
      if (!id.success) throw new HttpError(400, 'invalid entity id', `"${req.params.entity_id}": expected an entity id like light.kitchen`);
      const entityId = id.data;
      const conn = await loaded();
      const domain = domainOf(entityId);
      const runner = new HaTaskRunner(conn);
      try {
        await runner.assertEntityExists(entityId);
        if (!TOGGLEABLE_DOMAINS.has(domain)) {
          throw new TaskError(`${entityId} cannot be toggled (only ${[...TOGGLEABLE_DOMAINS].join(', ')} entities can)`, 'bad_input');
        }
        const previous = conn.map.state(entityId)?.state ?? null;
        await runner.callService({ domain, service: 'toggle', entityIds: [entityId], data: {} });
        const after = await conn.getState(entityId);
        return { entity_id: entityId, service: `${domain}.toggle`, previous_state: previous, state: after.state };
      } catch (e) {
        throw toHttp(e);
      }
    });
  };
}
