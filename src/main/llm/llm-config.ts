/**
 * From the seed's flags and env vars to an LlmConfig, and the one startup line that says which LLM
 * is in use — or exactly what to set when none is.
 */
import { LLM_PROVIDERS, llmConfigSchema, type LlmConfig, type LlmProviderName } from '../config/config.js';
import { PROVIDER_SPECS, type ConcreteProviderName } from './catalog.js';
import { LlmError } from './errors.js';
import { normalizeOllamaHost } from './ollama-host.js';
import { redact } from '../base/redact.js';

/** The LLM-related CLI flags (commander's camelCase names). */
export interface LlmFlags {
  /** --llm anthropic | openai | ollama | nim | gemini | none */
  llm?: string;
  /** A model for whichever provider is chosen (the provider-specific flags below win). */
  model?: string;
  ollamaModel?: string;
  ollamaHost?: string;
  nimModel?: string;
  geminiModel?: string;
  timeoutMs?: number;
  maxRetries?: number;
}

export type LlmEnv = Readonly<Record<string, string | undefined>>;

/** With no --llm: the first provider whose key is set, in this order; otherwise 'none'. */
const AUTO_ORDER: readonly ConcreteProviderName[] = ['anthropic', 'openai', 'gemini', 'nim'];

function envValue(env: LlmEnv, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function parseProvider(value: string): LlmProviderName {
  const v = value.trim().toLowerCase();
  if ((LLM_PROVIDERS as readonly string[]).includes(v)) return v as LlmProviderName;
  throw new LlmError('not_configured', `unknown --llm "${value}": choose one of ${LLM_PROVIDERS.join(', ')}`, { provider: v || 'none' });
}

function modelFlagFor(provider: ConcreteProviderName, flags: LlmFlags): string | undefined {
  const specific = provider === 'ollama' ? flags.ollamaModel : provider === 'nim' ? flags.nimModel : provider === 'gemini' ? flags.geminiModel : undefined;
  return specific?.trim() || flags.model?.trim() || undefined;
}

export function resolveLlmConfig(flags: LlmFlags = {}, env: LlmEnv = process.env): LlmConfig {
  let provider: LlmProviderName;
  if (flags.llm !== undefined && flags.llm.trim() !== '') provider = parseProvider(flags.llm);
  else if (flags.ollamaModel) provider = 'ollama'; // --ollama-model alone clearly asks for Ollama
  else provider = AUTO_ORDER.find((p) => envValue(env, PROVIDER_SPECS[p].keyEnv)) ?? 'none';

  const common = {
    ...(flags.timeoutMs === undefined ? {} : { timeoutMs: flags.timeoutMs }),
    ...(flags.maxRetries === undefined ? {} : { maxRetries: flags.maxRetries }),
  };
  if (provider === 'none') return llmConfigSchema.parse({ provider, ...common });

  const spec = PROVIDER_SPECS[provider];
  const model = modelFlagFor(provider, flags) ?? spec.defaultModel;
  const baseUrl =
    provider === 'ollama'
      ? normalizeOllamaHost(flags.ollamaHost?.trim() || envValue(env, spec.baseUrlEnv))
      : (envValue(env, spec.baseUrlEnv) ?? spec.defaultBaseUrl);
  const apiKey = envValue(env, spec.keyEnv);
  return llmConfigSchema.parse({ provider, model, baseUrl, ...(apiKey ? { apiKey } : {}), ...common });
}

/** Why this config can't make calls (a hosted provider without its key), or undefined if it can. */
export function missingKeyReason(config: LlmConfig): string | undefined {
  if (config.provider === 'none' || config.apiKey) return undefined;
  const spec = PROVIDER_SPECS[config.provider];
  if (!spec.keyEnv) return undefined;
  return `${spec.keyEnv} is not set — export it with your ${spec.label} API key, or choose another provider with --llm`;
}

export const NO_LLM_MESSAGE =
  'No LLM configured: set ANTHROPIC_API_KEY (or run with --llm ollama --ollama-model llama3 for a local model, ' +
  'or --llm openai with OPENAI_API_KEY, --llm gemini with GEMINI_API_KEY, --llm nim with NIM_API_KEY)';

/** One line for startup logs and the dashboard: what will answer chat, or what to set. Credentials in the base URL are redacted. */
export function describeLlm(config: LlmConfig): string {
  return redact(describeLlmConfig(config));
}

function describeLlmConfig(config: LlmConfig): string {
  if (config.provider === 'none') return NO_LLM_MESSAGE;
  const spec = PROVIDER_SPECS[config.provider];
  const model = config.model ?? spec.defaultModel;
  const head = `LLM: ${config.provider} ${model}`;
  const missing = missingKeyReason(config);
  if (missing) return `${head} — not usable yet: ${missing}`;
  if (spec.local) return `${head} at ${config.baseUrl ?? spec.defaultBaseUrl} (local)`;
  const custom = config.baseUrl && config.baseUrl.replace(/\/+$/, '') !== spec.defaultBaseUrl.replace(/\/+$/, '');
  return custom ? `${head} via ${config.baseUrl}` : head;
}
