/**
 * GET /config (the dashboard serves it as /api/config, where the original's dashboard fetches it):
 * the original monitor's "non-secret runtime config" — Home Assistant URL, MQTT host/port and the
 * WebSocket URLs of /mqtt and /ws on the origin the page came from, LLM provider and model, the
 * weather default. Differs on purpose: the original also sent the Home Assistant token and the
 * Fuseki password; this hub never sends a secret over HTTP (the security issue's rule), so both are
 * "" — the original's dashboard skips an empty token, so its HA view asks for one instead.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OriginalConfigResponse } from '../../../shared/rest.js';

export interface OriginalConfigDeps {
  /** Read on every request: the provider can be switched in the settings. */
  llm: () => { provider: string; model: string };
  mqtt: { host: string; port: number };
  haUrl: () => string | null;
  /** WEATHER_DEFAULT_LOCATION, FUSEKI_URL, FUSEKI_DATASET, FUSEKI_USER. */
  env: NodeJS.ProcessEnv;
}

/** ws(s)://<the host the page used>/<path>: behind a reverse proxy the page's own origin is the right one. */
function wsUrl(req: FastifyRequest, path: string): string {
  const proto = String(req.headers['x-forwarded-proto'] ?? req.protocol).split(',')[0]!.trim() === 'https' ? 'wss' : 'ws';
  const host = String(req.headers['x-forwarded-host'] ?? req.headers.host ?? 'localhost').split(',')[0]!.trim();
  return `${proto}://${host}${path}`;
}

export function registerOriginalConfigRoute(app: FastifyInstance, d: OriginalConfigDeps): void {
  app.get('/config', async (req): Promise<OriginalConfigResponse> => {
    const llm = d.llm();
    return {
      ha: { url: d.haUrl() ?? '', token: '' },
      fuseki: { url: d.env.FUSEKI_URL ?? '', dataset: d.env.FUSEKI_DATASET ?? 'wactorz', user: d.env.FUSEKI_USER ?? '', password: '' },
      mqtt: { host: d.mqtt.host, port: d.mqtt.port, url: wsUrl(req, '/mqtt') },
      llm: { provider: llm.provider, model: llm.model },
      weather: { defaultLocation: d.env.WEATHER_DEFAULT_LOCATION ?? 'London' },
      ws_url: wsUrl(req, '/ws'),
    };
  });
}
