/**
 * GET/PUT /settings as an integration (src/main/integration): the SettingsService over the saved
 * settings, applied live — the LLM provider is switched here; a new Home Assistant URL or token
 * goes to every integration as LiveSettings (`reconfigure`), and the page then shows what Home
 * Assistant says about itself.
 */
import type { Integration, LiveSettings } from '../integration/integration.js';
import type { HomeAssistantIntegration } from '../agents/home-assistant/integration.js';
import { SettingsService, type SettingsServiceDeps } from './settings-service.js';
import { settingsRoutes } from './settings-routes.js';

export interface SettingsIntegrationOptions extends Omit<SettingsServiceDeps, 'applyHomeAssistant' | 'haState'> {
  homeAssistant: Pick<HomeAssistantIntegration, 'state'>;
  /** The host's reconfigure: live settings to every integration. */
  reconfigure(settings: LiveSettings): Promise<void>;
}

export function createSettingsIntegration(o: SettingsIntegrationOptions): Integration {
  const settings = new SettingsService({
    ...o,
    applyHomeAssistant: async (next) => {
      await o.reconfigure({ homeAssistant: next });
      const { configured, reason } = o.homeAssistant.state();
      return { configured, ...(reason ? { reason } : {}) };
    },
    haState: () => o.homeAssistant.state(),
  });
  return { name: 'settings', routes: [settingsRoutes(settings)] };
}
