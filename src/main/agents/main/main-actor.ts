/**
 * MainActor: the orchestrator every interface talks to. `@name …` goes straight to that actor
 * (no LLM call), `/command` runs a hub command, anything else is conversation for the LLM —
 * streamed chunk by chunk to whoever asked (system.streams, keyed by the chat's message_id).
 * With no LLM configured it still answers, saying exactly what to configure.
 *
 * Chats are served concurrently: main's own loop only starts each one, so a slow LLM answer or a
 * slow agent never holds up the next user, and an agent that asks main something cannot deadlock.
 */
import { z } from 'zod';
import type { Message } from '../../../shared/message.js';
import { topics } from '../../../shared/topics.js';
import type { AgentChat } from '../../../shared/mqtt-payloads.js';
import { Actor } from '../../core/actor.js';
import { AskError, toError } from '../../core/errors.js';
import type { CostTracker } from '../../llm/cost-tracker.js';
import type { ChatMessage, LlmProvider } from '../../llm/provider.js';
import { parseInput } from './parse-input.js';
import { findCommand, type CommandContext, type MainCommand } from './main-commands.js';

/** A chat for main (from IOAgent, REST, CLI, bots). */
export const mainChatTaskSchema = z.looseObject({
  kind: z.literal('chat'),
  text: z.string(),
  from: z.string().default('user'),
  interface: z.string().default('unknown'),
  message_id: z.string().optional(),
});
export type MainChatTask = z.infer<typeof mainChatTaskSchema>;

export interface MainChatResult {
  reply: string;
  /** The agent that produced the answer (main, or the @mentioned one). */
  agent: string;
}

export interface MainActorOptions {
  llm: LlmProvider;
  llmSummary: string;
  costs: CostTracker;
  /** How long an @mention waits for the agent's RESULT. */
  mentionTimeoutMs?: number;
  /** Turns of conversation kept for the LLM. */
  historyTurns?: number;
}

const SYSTEM_PROMPT = `You are "main", the orchestrator of Wactorz, an actor-model hub for multi-agent AI.
Agents are actors that talk over MQTT. The user can address an agent directly with "@name {json}" or
"@name text", run commands such as /agents, /help and /cost, and chat with you. Be concise and helpful.`;

export class MainActor extends Actor {
  private readonly opts: MainActorOptions;
  private readonly history: ChatMessage[] = [];
  private readonly extraCommands = new Map<string, MainCommand>();
  /** Alerts from the monitor, newest last (for /alerts and the LLM's context). */
  readonly alerts: unknown[] = [];

  constructor(opts: MainActorOptions) {
    super({
      name: 'main',
      protected: true,
      description: 'LLM orchestrator: routes chat to agents, runs commands, answers conversation',
      capabilities: ['chat', 'routing', 'commands'],
      publishes: ['agents/{id}/chat', 'io/chat/response'],
    });
    this.opts = opts;
    this.registerCommand({
      name: 'alerts',
      usage: '/alerts',
      help: 'recent monitor alerts',
      run: () => (this.alerts.length ? this.alerts.slice(-20).map((a) => JSON.stringify(a)).join('\n') : 'No alerts.'),
    });
  }

  /** Lets other parts add commands (shown by /help). */
  registerCommand(cmd: MainCommand): void {
    this.extraCommands.set(cmd.name, cmd);
  }

  protected override handleMessage(msg: Message): Promise<void> | void {
    if (msg.type === 'TASK') {
      const chat = mainChatTaskSchema.safeParse(msg.payload);
      if (chat.success) {
        void this.serveChat(msg, chat.data);
        return;
      }
    }
    if (msg.type === 'COMMAND' || msg.type === 'TASK') {
      const alert = (msg.payload as { kind?: unknown; alert?: unknown } | undefined)?.kind === 'alert' ? (msg.payload as { alert: unknown }).alert : undefined;
      if (alert !== undefined) {
        this.alerts.push(alert);
        if (this.alerts.length > 200) this.alerts.shift();
        if (msg.type === 'TASK') this.reply(msg, { ok: true });
        return;
      }
    }
    return super.handleMessage(msg);
  }

  private async serveChat(msg: Message, chat: MainChatTask): Promise<void> {
    this.counters.messagesProcessed++;
    try {
      const result = await this.processUserInput(chat.text, {
        interface: chat.interface,
        from: chat.from,
        onChunk: chat.message_id ? (c) => this.system.streams.emit(chat.message_id!, c) : undefined,
      });
      this.counters.tasksCompleted++;
      this.reply(msg, result);
    } catch (e) {
      this.counters.tasksFailed++;
      this.replyError(msg, e);
    }
  }

  /** The one entry point for every interface. Never throws for user input: errors become replies. */
  async processUserInput(
    text: string,
    ctx: { interface: string; from: string; onChunk?: (chunk: string) => void },
  ): Promise<MainChatResult> {
    this.publishChat({ from: ctx.from, to: 'main', content: text, role: 'user', interface: ctx.interface });
    const result = await this.route(text, ctx.onChunk).catch((e: unknown) => ({ reply: `Error: ${toError(e).message}`, agent: 'main' }));
    this.publishChat({ from: result.agent, to: ctx.from, content: result.reply, role: 'assistant', interface: ctx.interface });
    return result;
  }

  private async route(text: string, onChunk?: (chunk: string) => void): Promise<MainChatResult> {
    const input = parseInput(text);
    switch (input.kind) {
      case 'mention':
        return this.mention(input.target, input.payload);
      case 'command': {
        const cmd = findCommand(this.commandContext(), input.command);
        if (!cmd) return { reply: `Unknown command /${input.command}. /help lists the commands.`, agent: 'main' };
        return { reply: await cmd.run(this.commandContext(), input.args), agent: 'main' };
      }
      case 'chat':
        return { reply: await this.converse(input.text, onChunk), agent: 'main' };
    }
  }

  private async mention(target: string, payload: unknown): Promise<MainChatResult> {
    try {
      const result = await this.ask(target, payload, this.opts.mentionTimeoutMs ?? 60_000);
      return { reply: formatResult(result), agent: this.system.get(target)?.name ?? target };
    } catch (e) {
      if (e instanceof AskError && e.kind === 'not_found') {
        return { reply: `There is no agent named "${target}". /agents lists them.`, agent: 'main' };
      }
      return { reply: `${target} could not do that: ${toError(e).message}`, agent: target };
    }
  }

  /** Conversation with the LLM, streamed. Without an LLM: what to configure. */
  protected async converse(text: string, onChunk?: (chunk: string) => void): Promise<string> {
    const llm = this.opts.llm;
    if (!llm.configured) {
      return `I can run commands (/help) and pass messages to agents (@name …), but no LLM is configured for conversation. ${this.opts.llmSummary}`;
    }
    const messages: ChatMessage[] = [...this.history, { role: 'user', content: text }];
    let reply = '';
    for await (const ev of llm.stream(messages, SYSTEM_PROMPT)) {
      if (ev.type === 'text') {
        reply += ev.text;
        onChunk?.(ev.text);
      } else reply = ev.text;
    }
    this.history.push({ role: 'user', content: text }, { role: 'assistant', content: reply });
    const keep = (this.opts.historyTurns ?? 20) * 2;
    if (this.history.length > keep) this.history.splice(0, this.history.length - keep);
    return reply;
  }

  private commandContext(): CommandContext {
    return { system: this.system, costs: this.opts.costs, llmSummary: this.opts.llmSummary, extra: this.extraCommands };
  }

  private publishChat(c: Omit<AgentChat, 'timestamp'>): void {
    this.publish(topics.agent(this.actorId, 'chat'), { ...c, timestamp: Date.now() / 1000 });
  }

  override heartbeatExtras(): Record<string, unknown> {
    const s = this.opts.costs.forAgent('main');
    return { tokens_in: s.inputTokens, tokens_out: s.outputTokens, cost_usd: s.costUsd };
  }

  override metricsExtras(): Record<string, unknown> {
    return this.heartbeatExtras();
  }
}

function formatResult(result: unknown): string {
  if (typeof result === 'string') return result;
  if (result === undefined || result === null) return 'done';
  return JSON.stringify(result, null, 2);
}
