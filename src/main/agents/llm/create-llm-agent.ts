/**
 * The `type: llm` spawn: an LLMAgent with its own system prompt that answers TASKs `{text}` (or a
 * plain string) with the LLM's reply (a string RESULT), keeping its own persisted, summarised
 * conversation. DynamicAgent's spawn helper calls this for `<spawn>{"type": "llm", …}</spawn>`.
 */
import type { CostTracker } from '../../llm/cost-tracker.js';
import type { LlmProvider } from '../../llm/provider.js';
import { LLMAgent } from './llm-agent.js';
import type { HistoryPolicy } from './rolling-summary.js';

export interface CreateLlmAgentOptions {
  name: string;
  systemPrompt: string;
  description?: string;
  /** The raw provider (the agent bills its calls to `name`). */
  llm: LlmProvider;
  costs: CostTracker;
  capabilities?: string[];
  history?: Partial<HistoryPolicy>;
  llmTimeoutMs?: number;
}

export function createLlmAgent(o: CreateLlmAgentOptions): LLMAgent {
  return new LLMAgent({
    name: o.name,
    kind: 'llm',
    description: o.description ?? `LLM agent: ${o.systemPrompt.slice(0, 80)}`,
    capabilities: o.capabilities ?? ['chat', 'llm'],
    inputSchema: { text: 'str — what to ask or tell the agent (a plain string works too)' },
    outputSchema: 'str — the reply',
    llm: o.llm,
    costs: o.costs,
    systemPrompt: o.systemPrompt,
    ...(o.history ? { history: o.history } : {}),
    ...(o.llmTimeoutMs === undefined ? {} : { llmTimeoutMs: o.llmTimeoutMs }),
  });
}
