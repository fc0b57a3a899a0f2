/**
 * The one configuration object that `startWactorz(config)` takes. Built from CLI flags and the
 * environment (cli-args.ts, env.ts) headless, or from the desktop app's settings in Electron.
 */
import { z } from 'zod';

export const LLM_PROVIDERS = ['anthropic', 'openai', 'ollama', 'nim', 'gemini', 'none'] as const;
export type LlmProviderName = (typeof LLM_PROVIDERS)[number];

export const INTERFACES = ['cli', 'rest', 'discord', 'whatsapp', 'telegram', 'none'] as const;
export type InterfaceName = (typeof INTERFACES)[number];

const port = z.number().int().min(0).max(65535);

export const llmConfigSchema = z.object({
  provider: z.enum(LLM_PROVIDERS),
  /** Model for the chosen provider; each provider has a default. */
  model: z.string().optional(),
  apiKey: z.string().optional(),
  /** Overrides the provider's endpoint (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, OLLAMA_HOST…). */
  baseUrl: z.string().optional(),
  timeoutMs: z.number().int().positive().default(120_000),
  maxRetries: z.number().int().min(0).default(2),
});
export type LlmConfig = z.infer<typeof llmConfigSchema>;

export const wactorzConfigSchema = z.object({
  stateDir: z.string(),
  /** Bind address for every listener (MQTT TCP, dashboard, REST). */
  host: z.string().default('127.0.0.1'),
  llm: llmConfigSchema,
  interface: z.enum(INTERFACES).default('cli'),
  restPort: port.default(8000),
  /** The dashboard (and /api, /mqtt over WebSocket); null with --no-monitor. */
  monitorPort: port.nullable().default(8888),
  mqtt: z
    .object({
      /** External broker host; absent → the embedded aedes broker. */
      broker: z.string().optional(),
      port: port.default(1883),
      username: z.string().optional(),
      password: z.string().optional(),
    })
    .default({ port: 1883 }),
  redisUrl: z.string().optional(),
  /** Built dashboard (index.html + assets); default: out/renderer of this installation. */
  dashboardDir: z.string().optional(),
  /** Token for the dashboard, REST and MQTT over WebSocket; generated when the hub binds beyond loopback. */
  dashboardToken: z.string().optional(),
  /** Host names the HTTP servers answer to besides loopback and `host` (WACTORZ_ALLOWED_HOSTS adds more). */
  allowedHosts: z.array(z.string()).default([]),
  /** Browser origins allowed to change things and open /mqtt besides the dashboard's own (WACTORZ_ALLOWED_ORIGINS adds more). */
  allowedOrigins: z.array(z.string()).default([]),
  /** better_sqlite3.node built for Electron's ABI (the desktop app sets it). */
  nativeBinding: z.string().optional(),
  /** When set, REST requires `X-API-Key`. */
  apiKey: z.string().optional(),
  homeAssistant: z.object({ url: z.string(), token: z.string() }).optional(),
  /** Intervals, overridable for tests. */
  timing: z
    .object({
      heartbeatMs: z.number().int().positive().default(10_000),
      monitorCheckMs: z.number().int().positive().default(15_000),
      monitorWarnMs: z.number().int().positive().default(60_000),
      monitorCriticalMs: z.number().int().positive().default(120_000),
      healthMs: z.number().int().positive().default(15_000),
    })
    .default({ heartbeatMs: 10_000, monitorCheckMs: 15_000, monitorWarnMs: 60_000, monitorCriticalMs: 120_000, healthMs: 15_000 }),
});
export type WactorzConfig = z.infer<typeof wactorzConfigSchema>;
export type WactorzConfigInput = z.input<typeof wactorzConfigSchema>;
