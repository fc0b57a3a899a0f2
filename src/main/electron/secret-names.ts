/** The runtime list of secret names, kept in step with the shared `SecretName` type. */
import { z } from 'zod';
import type { SecretName } from '../../shared/desktop-api.js';

export const SECRET_NAMES = [
  'anthropic_api_key',
  'openai_api_key',
  'nim_api_key',
  'gemini_api_key',
  'home_assistant_token',
  'mqtt_password',
  'dashboard_token',
] as const satisfies readonly SecretName[];
// Every SecretName is listed above (a new one in the shared type fails here until added).
const _allSecretNames: Exclude<SecretName, (typeof SECRET_NAMES)[number]> extends never ? true : never = true;
void _allSecretNames;

export const secretNameSchema = z.enum(SECRET_NAMES);
