/** Test helpers for LLM agents: reading what a recorded request sent, whatever its protocol. */
import type { RecordedLlmRequest } from '../../../llm/testing/index.js';

export interface SentRequest {
  system: string;
  /** Dialogue messages (system excluded), as sent. */
  messages: { role: string; content: string }[];
  lastUser: string;
}

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b) => (b && typeof b === 'object' && 'text' in b ? String((b as { text: unknown }).text) : '')).join('');
  return '';
}

/** System prompt and messages of a recorded Anthropic, OpenAI or Ollama chat request. */
export function sentRequest(req: RecordedLlmRequest): SentRequest {
  const body = req.body as { system?: unknown; messages?: { role: string; content: unknown }[] };
  const all = (body.messages ?? []).map((m) => ({ role: m.role, content: text(m.content) }));
  const system = req.protocol === 'anthropic' ? text(body.system) : all.filter((m) => m.role === 'system').map((m) => m.content).join('\n');
  const messages = all.filter((m) => m.role !== 'system');
  return { system, messages, lastUser: [...messages].reverse().find((m) => m.role === 'user')?.content ?? '' };
}
