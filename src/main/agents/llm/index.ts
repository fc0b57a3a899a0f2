/** LLM-backed agents: the LLMAgent base class and the `type: llm` factory. */
export { LLMAgent, llmTaskSchema, type LlmAgentOptions, type ChunkHandler, type ConversationView } from './llm-agent.js';
export { createLlmAgent, type CreateLlmAgentOptions } from './create-llm-agent.js';
export { DEFAULT_HISTORY_POLICY, SUMMARY_SYSTEM_PROMPT, type HistoryPolicy } from './rolling-summary.js';
export { ConversationStore, estimateTokens, type ConversationState, type StoredTurn } from './conversation-store.js';
