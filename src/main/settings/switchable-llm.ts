/**
 * An LlmProvider whose backend can be replaced at runtime (the dashboard's settings): agents keep
 * the same object, every call goes to whichever provider is current when it starts.
 */
import type { LlmProviderName } from '../config/config.js';
import type { ChatMessage, LlmCallOptions, LlmCompletion, LlmProvider, LlmStreamEvent } from '../llm/provider.js';

export class SwitchableLlmProvider implements LlmProvider {
  constructor(
    private current: LlmProvider,
    private currentSummary: string,
  ) {}

  get name(): LlmProviderName {
    return this.current.name;
  }
  get model(): string {
    return this.current.model;
  }
  get baseUrl(): string {
    return this.current.baseUrl;
  }
  get configured(): boolean {
    return this.current.configured;
  }
  /** The startup line for the current provider (`describeLlm`). */
  get summary(): string {
    return this.currentSummary;
  }

  switchTo(next: LlmProvider, summary: string): void {
    this.current = next;
    this.currentSummary = summary;
  }

  complete(messages: readonly ChatMessage[], system?: string, opts?: LlmCallOptions): Promise<LlmCompletion> {
    return this.current.complete(messages, system, opts);
  }

  stream(messages: readonly ChatMessage[], system?: string, opts?: LlmCallOptions): AsyncIterable<LlmStreamEvent> {
    return this.current.stream(messages, system, opts);
  }
}
