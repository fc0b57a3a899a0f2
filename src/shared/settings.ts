/**
 * Hub settings as the dashboard edits them (GET/PUT /settings). Secrets are write-only: GET says
 * whether one is set, PUT takes a new value, or null to clear it.
 */
import { z } from 'zod';

const optionalText = z.string().trim().min(1).nullable().optional();

export const settingsPatchSchema = z.strictObject({
  llm: z
    .strictObject({
      provider: z.enum(['anthropic', 'openai', 'ollama', 'nim', 'gemini', 'none']).optional(),
      model: optionalText,
      baseUrl: z.url({ protocol: /^https?$/ }).nullable().optional(),
      apiKey: optionalText,
    })
    .optional(),
  homeAssistant: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }).nullable().optional(),
      token: optionalText,
    })
    .optional(),
  mqtt: z
    .strictObject({
      broker: optionalText,
      port: z.number().int().min(1).max(65535).optional(),
      username: optionalText,
      password: z.string().optional(),
    })
    .optional(),
});
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

/** What GET /settings answers: no secret values, only whether each is set. */
export interface SettingsView {
  llm: { provider: string; model: string | null; baseUrl: string | null; apiKeySet: boolean; summary: string };
  homeAssistant: { url: string | null; tokenSet: boolean; configured: boolean; reason?: string };
  mqtt: { broker: string | null; port: number; username: string | null; passwordSet: boolean; mode: 'embedded' | 'external' };
  /** Changes saved that take effect at the next start (the MQTT broker). */
  restartRequired: boolean;
}
