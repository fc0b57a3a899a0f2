/**
 * What Wactorz knows about each provider before talking to it: label, default model and endpoint,
 * and the flags/env vars a user sets. One table, so config resolution, startup lines and error
 * messages can never disagree about which variable to set.
 */
import type { LlmProviderName } from '../config/config.js';

export type HostedProviderName = 'anthropic' | 'openai' | 'nim' | 'gemini';
export type ConcreteProviderName = Exclude<LlmProviderName, 'none'>;

export interface ProviderSpec {
  name: ConcreteProviderName;
  /** How people write it: "Anthropic", "NVIDIA NIM". */
  label: string;
  defaultModel: string;
  defaultBaseUrl: string;
  /** Env var holding the API key; undefined for local Ollama. */
  keyEnv?: string;
  /** Other variables the original read the key from (after keyEnv, before LLM_API_KEY). */
  keyEnvAliases?: readonly string[];
  /** Env var overriding the endpoint. */
  baseUrlEnv: string;
  /** The original's name for the endpoint variable (read after baseUrlEnv). */
  baseUrlEnvAliases?: readonly string[];
  /** CLI flag selecting the model, when the seed defines one. */
  modelFlag?: string;
  /** True for providers that run on the user's machine (no key, no cost). */
  local: boolean;
}

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';

export const PROVIDER_SPECS: Readonly<Record<ConcreteProviderName, ProviderSpec>> = {
  anthropic: {
    name: 'anthropic',
    label: 'Anthropic',
    defaultModel: 'claude-sonnet-4-6',
    defaultBaseUrl: 'https://api.anthropic.com',
    keyEnv: 'ANTHROPIC_API_KEY',
    baseUrlEnv: 'ANTHROPIC_BASE_URL',
    local: false,
  },
  openai: {
    name: 'openai',
    label: 'OpenAI',
    defaultModel: 'gpt-4o',
    defaultBaseUrl: 'https://api.openai.com/v1',
    keyEnv: 'OPENAI_API_KEY',
    baseUrlEnv: 'OPENAI_BASE_URL',
    baseUrlEnvAliases: ['OPENAI_URL'],
    local: false,
  },
  ollama: {
    name: 'ollama',
    label: 'Ollama',
    defaultModel: 'llama3',
    defaultBaseUrl: DEFAULT_OLLAMA_HOST,
    baseUrlEnv: 'OLLAMA_HOST',
    baseUrlEnvAliases: ['OLLAMA_URL'],
    modelFlag: '--ollama-model',
    local: true,
  },
  nim: {
    name: 'nim',
    label: 'NVIDIA NIM',
    defaultModel: 'meta/llama-3.3-70b-instruct',
    defaultBaseUrl: 'https://integrate.api.nvidia.com/v1',
    keyEnv: 'NIM_API_KEY',
    keyEnvAliases: ['NVIDIA_API_KEY'],
    baseUrlEnv: 'NIM_BASE_URL',
    modelFlag: '--nim-model',
    local: false,
  },
  gemini: {
    name: 'gemini',
    label: 'Gemini',
    defaultModel: 'gemini-2.5-flash',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai/',
    keyEnv: 'GEMINI_API_KEY',
    keyEnvAliases: ['GOOGLE_API_KEY'],
    baseUrlEnv: 'GEMINI_BASE_URL',
    modelFlag: '--gemini-model',
    local: false,
  },
};
