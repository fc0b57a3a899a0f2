/** GET /settings and PUT /settings (a partial update; secrets write-only). */
import type { FastifyPluginAsync } from 'fastify';
import { settingsPatchSchema } from '../../shared/settings.js';
import { validateBody } from '../server/validate-body.js';
import type { SettingsService } from './settings-service.js';

export function settingsRoutes(service: SettingsService): FastifyPluginAsync {
  return async (app) => {
    app.get('/settings', async () => service.view());
    app.put('/settings', async (req) => service.update(validateBody(settingsPatchSchema, req.body)));
  };
}
