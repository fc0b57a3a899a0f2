/**
 * From the seed's flags and env vars to an LlmConfig, and the one startup line that says which LLM
 * is in use — or exactly what to set when none is. The original's variables are read too: a
 * provider's own key first (ANTHROPIC_API_KEY…), then the original's other name for it
 * (NVIDIA_API_KEY, GOOGLE_API_KEY), then the provider-agnostic LLM_API_KEY; OLLAMA_URL and
 * OPENAI_URL after OLLAMA_HOST and OPENAI_BASE_URL. LLM_PROVIDER and LLM_MODEL arrive as the
 * defaults of --llm and --model (config/env-config.ts).
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

/**
 * With no --llm: the first provider whose key is set, in this order; else, with only the original's
 * LLM_API_KEY, its default provider (anthropic); otherwise 'none'.
 */
const AUTO_ORDER: readonly ConcreteProviderName[] = ['anthropic', 'openai', 'gemini', 'nim'];

function envValue(env: LlmEnv, ...names: (string | undefined)[]): string | undefined {
  for (const name of names) {
    if (!name) continue;
    const v = env[name]?.trim();
    if (v) return v;
  }
  return undefined;
}

/** The provider's own key variable, the original's alias for it, then LLM_API_KEY. */
function keyFor(provider: ConcreteProviderName, env: LlmEnv): string | undefined {
  const spec = PROVIDER_SPECS[provider];
  if (!spec.keyEnv) return undefined;
  return envValue(env, spec.keyEnv, ...(spec.keyEnvAliases ?? []), 'LLM_API_KEY');
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
  else {
    const own = AUTO_ORDER.find((p) => envValue(env, PROVIDER_SPECS[p].keyEnv, ...(PROVIDER_SPECS[p].keyEnvAliases ?? [])));
    provider = own ?? (envValue(env, 'LLM_API_KEY') ? 'anthropic' : 'none');
  }

  const common = {
    ...(flags.timeoutMs === undefined ? {} : { timeoutMs: flags.timeoutMs }),
    ...(flags.maxRetries === undefined ? {} : { maxRetries: flags.maxRetries }),
  };
  if (provider === 'none') return llmConfigSchema.parse({ provider, ...common });

  const spec = PROVIDER_SPECS[provider];
  const model = modelFlagFor(provider, flags) ?? spec.defaultModel;
  const baseUrlEnv = envValue(env, spec.baseUrlEnv, ...(spec.baseUrlEnvAliases ?? []));
  const baseUrl = provider === 'ollama' ? normalizeOllamaHost(flags.ollamaHost?.trim() || baseUrlEnv) : (baseUrlEnv ?? spec.defaultBaseUrl);
  const apiKey = keyFor(provider, env);
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
