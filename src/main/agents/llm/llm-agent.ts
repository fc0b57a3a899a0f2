/**
 * LLMAgent: the base class for LLM-backed actors. It owns
 * - a system prompt (per agent, changeable at run time),
 * - a conversation history persisted in SQLite (survives restarts) with a rolling summary: when
 *   the history passes its token budget, older turns are folded into a summary by one LLM call and
 *   the recent turns stay verbatim (rolling-summary.ts),
 * - its LLM bill: every call is recorded in the CostTracker under the agent's name, and
 *   heartbeats/metrics carry `tokens_in`, `tokens_out`, `cost_usd` (+ calls, failures, latency).
 *
 * Pass the *raw* provider: the agent wraps it with withCostTracking itself (wrapping twice would
 * bill twice). Subclasses add context to the system prompt through `promptContext()`.
 *
 * A task answered by `handleTask` is announced on `agents/{id}/completed` (`{result_preview, duration,
 * task}`, the original LLMAgent's event; subclasses with their own handleTask, such as main, do not).
 *
 * Folding runs after a reply has been delivered (it never delays the answer); the next chat waits
 * for a fold in flight, so its request always carries the newest summary.
 */
import { z } from 'zod';
import type { Message } from '../../../shared/message.js';
import { topics } from '../../../shared/topics.js';
import type { AgentCompleted } from '../../../shared/mqtt-payloads.js';
import { Actor, type ActorOptions } from '../../core/actor.js';
import { TaskError, toError } from '../../core/errors.js';
import type { CostTracker } from '../../llm/cost-tracker.js';
import type { ChatMessage, LlmCallOptions, LlmCompletion, LlmProvider } from '../../llm/provider.js';
import { withCostTracking } from '../../llm/tracked-provider.js';
import { ConversationStore } from './conversation-store.js';
import {
  foldRequest,
  historyTokens,
  resolvePolicy,
  SUMMARY_SYSTEM_PROMPT,
  summarySection,
  turnsToFold,
  verbatimTurns,
  type HistoryPolicy,
} from './rolling-summary.js';

export interface LlmAgentOptions extends ActorOptions {
  /** The raw provider; calls are billed to this agent's name in `costs`. */
  llm: LlmProvider;
  costs: CostTracker;
  systemPrompt: string;
  /** Token budget, turns kept verbatim, summary size. */
  history?: Partial<HistoryPolicy>;
  /** Bound on each LLM call (default: the provider's). */
  llmTimeoutMs?: number;
}

export type ChunkHandler = (chunk: string) => void;

/** A TASK for an LLM agent: a string, or an object with the text under one of the usual names. */
export const llmTaskSchema = z.union([
  z.string().min(1),
  z.looseObject({ text: z.string().min(1), message_id: z.string().optional() }),
  z.looseObject({ content: z.string().min(1) }).transform((p) => ({ text: p.content })),
  z.looseObject({ message: z.string().min(1) }).transform((p) => ({ text: p.message })),
  z.looseObject({ prompt: z.string().min(1) }).transform((p) => ({ text: p.prompt })),
]);

export interface ConversationView {
  summary: string;
  /** Turns sent verbatim with the next message (oldest first). */
  turns: ChatMessage[];
  /** How many turns the summary covers. */
  turnsFolded: number;
  /** Estimated tokens of summary + verbatim turns. */
  tokens: number;
}

export class LLMAgent extends Actor {
  /** Billed to this agent. */
  protected readonly llm: LlmProvider;
  protected readonly costs: CostTracker;
  protected readonly policy: HistoryPolicy;
  protected readonly llmTimeoutMs: number | undefined;
  private basePrompt: string;
  private store: ConversationStore | undefined;
  private folding: Promise<void> | undefined;
  private foldAgain = false;
  /** Aborted at stop: in-flight calls of a stopping agent end at once. */
  private readonly lifetime = new AbortController();
  readonly summaryStats = { folds: 0, failures: 0 };

  constructor(opts: LlmAgentOptions) {
    super({ kind: 'llm', ...opts });
    this.llm = withCostTracking(opts.llm, opts.costs, opts.name);
    this.costs = opts.costs;
    this.basePrompt = opts.systemPrompt;
    this.policy = resolvePolicy(opts.history);
    this.llmTimeoutMs = opts.llmTimeoutMs;
  }

  get systemPrompt(): string {
    return this.basePrompt;
  }

  set systemPrompt(prompt: string) {
    this.basePrompt = prompt;
  }

  /** Extra system-prompt sections (user facts, the agent list…), placed before the summary. */
  protected promptContext(): string[] {
    return [];
  }

  /** The system prompt a chat request gets: base prompt, context, then the rolling summary. */
  composeSystemPrompt(summary = this.conversation.load(this.name).summary): string {
    return [this.basePrompt, ...this.promptContext(), summarySection(summary)].filter((s) => s.trim() !== '').join('\n\n');
  }

  protected get conversation(): ConversationStore {
    return (this.store ??= new ConversationStore(this.system.persistence.db));
  }

  /**
   * One conversational turn: history + `text` to the LLM, streamed to `onChunk`; the exchange is
   * stored and the history folded if it passed its budget. Throws LlmError on failure (nothing is
   * stored then).
   */
  async chat(text: string, onChunk?: ChunkHandler, opts: LlmCallOptions = {}): Promise<string> {
    await this.folding;
    const state = this.conversation.load(this.name);
    const messages: ChatMessage[] = [...verbatimTurns(state, this.policy), { role: 'user', content: text }];
    let reply = '';
    for await (const ev of this.llm.stream(messages, this.composeSystemPrompt(state.summary), this.callOptions(opts))) {
      if (ev.type === 'text') onChunk?.(ev.text);
      else reply = ev.text;
    }
    this.recordExchange(text, reply);
    return reply;
  }

  /**
   * A one-off call with the agent's system prompt (or `opts.system`), no history, billed to the
   * agent — for classification, extraction, tools.
   */
  async complete(prompt: string | readonly ChatMessage[], opts: LlmCallOptions & { system?: string } = {}): Promise<LlmCompletion> {
    const { system, ...call } = opts;
    const messages: readonly ChatMessage[] = typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : prompt;
    return this.llm.complete(messages, system ?? this.basePrompt, this.callOptions(call));
  }

  /** Stores an exchange that did not come from `chat` (e.g. answered by another agent), so the LLM sees it later. */
  recordExchange(user: string, assistant: string): void {
    // Hosted APIs refuse empty turns; an empty answer carries nothing worth remembering.
    if (!user.trim() || !assistant.trim()) return;
    this.conversation.appendExchange(this.name, user, assistant);
    this.scheduleFold();
  }

  conversationView(): ConversationView {
    const state = this.conversation.load(this.name);
    return {
      summary: state.summary,
      turns: state.turns.map((t) => ({ role: t.role, content: t.content })),
      turnsFolded: state.turnsFolded,
      tokens: historyTokens(state),
    };
  }

  /** Forgets the conversation (transcript and summary); returns how many turns were removed. */
  async clearConversation(): Promise<number> {
    await this.folding;
    return this.conversation.clear(this.name);
  }

  /** Resolves when no summary is being written (tests, callers that want the newest summary). */
  async settled(): Promise<void> {
    while (this.folding) await this.folding;
  }

  private scheduleFold(): void {
    if (this.folding) {
      this.foldAgain = true; // turns arrived during the fold: look again when it is done
      return;
    }
    this.folding = this.foldWhileNeeded().finally(() => (this.folding = undefined));
  }

  private async foldWhileNeeded(): Promise<void> {
    do {
      this.foldAgain = false;
      try {
        await this.foldOnce();
      } catch (e) {
        this.summaryStats.failures++;
        // The turns stay verbatim (bounded by verbatimTurns) and the next exchange tries again.
        if (!this.lifetime.signal.aborted) this.log('warning', `could not summarise the conversation: ${toError(e).message}`);
        return;
      }
    } while (this.foldAgain);
  }

  private async foldOnce(): Promise<void> {
    const state = this.conversation.load(this.name);
    const fold = turnsToFold(state, this.policy);
    if (!fold) return;
    const res = await this.llm.complete(foldRequest(state.summary, fold), SUMMARY_SYSTEM_PROMPT, this.callOptions({ maxTokens: this.policy.summaryMaxTokens, temperature: 0 }));
    const summary = res.text.trim();
    if (!summary) throw new Error('the LLM returned an empty summary');
    // Bounded, so a rambling model cannot make the summary itself blow the budget.
    const capped = summary.slice(0, Math.max(400, this.policy.tokenBudget * 2));
    this.conversation.saveSummary(this.name, capped, fold.at(-1)!.id, state.turnsFolded + fold.length);
    this.summaryStats.folds++;
    this.log('debug', `folded ${fold.length} turns into the summary`);
  }

  protected callOptions(opts: LlmCallOptions): LlmCallOptions {
    const signal = opts.signal ? AbortSignal.any([opts.signal, this.lifetime.signal]) : this.lifetime.signal;
    return { ...(this.llmTimeoutMs === undefined ? {} : { timeoutMs: this.llmTimeoutMs }), ...opts, signal };
  }

  /** A TASK `{text}` (or a string): answered with the reply text. `message_id` streams the reply via system.streams. */
  protected override async handleTask(payload: unknown, _msg: Message): Promise<unknown> {
    const parsed = llmTaskSchema.safeParse(payload);
    if (!parsed.success) throw new TaskError(`${this.name} expects {"text": "…"} or a string`, 'bad_input');
    const task = typeof parsed.data === 'string' ? { text: parsed.data } : parsed.data;
    const id = 'message_id' in task && typeof task.message_id === 'string' ? task.message_id : undefined;
    const started = performance.now();
    const reply = await this.chat(task.text, id ? (c) => this.system.streams.emit(id, c) : undefined);
    // As the original's LLMAgent: a finished task is announced on agents/{id}/completed.
    const completed: AgentCompleted = { result_preview: reply.slice(0, 200), duration: (performance.now() - started) / 1000, task: task.text.slice(0, 60) };
    this.publish(topics.agent(this.actorId, 'completed'), completed);
    return reply;
  }

  protected override onStop(): Promise<void> | void {
    this.lifetime.abort();
  }

  override heartbeatExtras(): Record<string, unknown> {
    const s = this.costs.forAgent(this.name);
    return {
      tokens_in: s.inputTokens,
      tokens_out: s.outputTokens,
      cost_usd: s.costUsd,
      llm_calls: s.calls,
      llm_failures: s.failures,
      llm_latency_ms: Math.round(s.avgLatencyMs),
    };
  }

  override metricsExtras(): Record<string, unknown> {
    return { ...this.heartbeatExtras(), summary_folds: this.summaryStats.folds };
  }
}
