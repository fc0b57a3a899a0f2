/**
 * Wraps a provider so every call is billed to an agent in a CostTracker — the one place usage is
 * recorded, whether the agent uses complete() or stream() — and first passes the tracker's gates
 * (the spend limit): a refused call never reaches the provider and fails with LlmError `cost_limit`.
 */
import { isLlmError, LlmError } from './errors.js';
import type { CostTracker } from './cost-tracker.js';
import type { ChatMessage, LlmCallOptions, LlmCompletion, LlmProvider, LlmStreamEvent } from './provider.js';

export function withCostTracking(provider: LlmProvider, tracker: CostTracker, agent: string): LlmProvider {
  const bill = (model: string, res: { usage: LlmCompletion['usage']; latencyMs: number }): void => {
    tracker.record({ agent, provider: provider.name, model, usage: res.usage, latencyMs: res.latencyMs });
  };
  const fail = (err: unknown): void => tracker.recordFailure(agent, isLlmError(err) ? err.kind : undefined);
  const pass = (): void => {
    const why = tracker.refusal(agent);
    if (why !== undefined) throw new LlmError('cost_limit', why, { provider: provider.name });
  };
  return {
    get name() {
      return provider.name;
    },
    get model() {
      return provider.model;
    },
    get baseUrl() {
      return provider.baseUrl;
    },
    get configured() {
      return provider.configured;
    },
    async complete(messages: readonly ChatMessage[], system?: string, opts?: LlmCallOptions): Promise<LlmCompletion> {
      pass();
      try {
        const res = await provider.complete(messages, system, opts);
        bill(res.model, res);
        return res;
      } catch (err) {
        fail(err);
        throw err;
      }
    },
    async *stream(messages: readonly ChatMessage[], system?: string, opts?: LlmCallOptions): AsyncGenerator<LlmStreamEvent> {
      pass();
      try {
        for await (const ev of provider.stream(messages, system, opts)) {
          if (ev.type === 'done') bill(ev.model, ev);
          yield ev;
        }
      } catch (err) {
        fail(err);
        throw err;
      }
    },
  };
}
