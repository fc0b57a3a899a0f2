/**
 * Stands in when no LLM is usable (provider 'none', or a hosted provider without its key), so the
 * hub still starts and every chat gets an answer that says exactly what to set.
 */
import type { LlmProviderName } from '../config/config.js';
import { LlmError } from './errors.js';
import type { ChatMessage, LlmCallOptions, LlmCompletion, LlmProvider, LlmStreamEvent } from './provider.js';

export class NotConfiguredProvider implements LlmProvider {
  readonly configured = false;

  constructor(
    readonly name: LlmProviderName,
    readonly model: string,
    readonly baseUrl: string,
    /** The whole message the user sees, e.g. "ANTHROPIC_API_KEY is not set — …". */
    readonly reason: string,
  ) {}

  private error(): LlmError {
    return new LlmError('not_configured', this.reason, { provider: this.name });
  }

  async complete(_messages: readonly ChatMessage[], _system?: string, _opts?: LlmCallOptions): Promise<LlmCompletion> {
    throw this.error();
  }

  async *stream(_messages: readonly ChatMessage[], _system?: string, _opts?: LlmCallOptions): AsyncGenerator<LlmStreamEvent> {
    throw this.error();
  }
}
