/**
 * MainActor: the orchestrator every interface talks to, an LLMAgent (its conversation is persisted
 * in SQLite and summarised past its budget). For each user message:
 * - `@name …` goes straight to that actor (no LLM call); `/command` runs a hub command;
 * - anything else is chat. Facts the user states are remembered (user-memory.ts). Then one small
 *   LLM call classifies it (intent.ts) — HA → 'home-assistant-agent', PIPELINE → 'planner',
 *   OTHER → a conversational reply streamed chunk by chunk (system.streams, keyed by message_id).
 *
 * The classification call is skipped when neither an HA agent nor a planner is running: every
 * message would be OTHER anyway, so it would only cost a round trip. The same call also returns
 * facts the user stated, so user memory needs no extra call (see user-memory.ts).
 *
 * Chats are served concurrently: main's own loop only starts each one, so a slow LLM answer or a
 * slow agent never holds up the next user, and an agent that asks main something cannot deadlock.
 */
import type { Message } from '../../../shared/message.js';
import { topics } from '../../../shared/topics.js';
import type { AgentChat } from '../../../shared/mqtt-payloads.js';
import { isChatKind, parseChatTask, type ChatResult, type ChatTask } from '../../../shared/chat.js';
import { AskError, TaskError, toError } from '../../core/errors.js';
import type { CostTracker } from '../../llm/cost-tracker.js';
import { isLlmError, type LlmErrorKind } from '../../llm/errors.js';
import type { LlmProvider } from '../../llm/provider.js';
import { LLMAgent } from '../llm/llm-agent.js';
import type { HistoryPolicy } from '../llm/rolling-summary.js';
import { parseInput } from './parse-input.js';
import { findCommand, type CommandContext, type MainCommand } from './main-commands.js';
import { CLASSIFY_SYSTEM_PROMPT, parseClassification, type Intent } from './intent.js';
import { describeFacts, extractFacts, UserMemory } from './user-memory.js';
import { memoryCommands } from './memory-commands.js';
import type { MainAgentHooks } from '../dynamic/main-hooks.js';
import type { ChatCommand } from '../../integration/integration.js';
import type { ChatLog } from '../../persistence/stores/chat-log.js';

export const HOME_ASSISTANT_AGENT = 'home-assistant-agent';
/**
 * `@name` prefixes that mean main itself, as the original's dashboard sends them: `@main` (main's
 * card), `@main-actor` (its default target), `@io-agent` (the original's gateway; ours is `io`).
 */
export const MAIN_TARGETS: ReadonlySet<string> = new Set(['main', 'main-actor', 'io-agent', 'io']);
export const PLANNER_AGENT = 'planner';

export interface MainActorOptions {
  /** The raw provider: main bills its calls (chat, classification, summaries) to 'main'. */
  llm: LlmProvider;
  /** The startup line for the provider (a function when the provider can be switched at run time). */
  llmSummary: string | (() => string);
  costs: CostTracker;
  /** How long an @mention waits for the agent's RESULT. */
  mentionTimeoutMs?: number;
  /** Turns of conversation always sent verbatim (older ones are summarised). Default 6. */
  historyTurns?: number;
  /** Token budget etc. of the rolling summary (historyTurns wins for keepRecentTurns). */
  history?: Partial<HistoryPolicy>;
  /** 'auto' (default): classify when an HA agent or a planner is running; false: never (every chat is OTHER). */
  classify?: 'auto' | false;
  /** Bound on the classification call (default 30 s). */
  classifyTimeoutMs?: number;
  /** How long the HA agent / planner get to answer a routed request (default 120 s). */
  routeTimeoutMs?: number;
  /** DynamicAgents: `<spawn>` blocks in replies and "create an agent that …" (agents/dynamic/main-hooks.ts). */
  agents?: MainAgentHooks | undefined;
  /** Commands other integrations offer (/nodes, /migrate…), listed by /help beside main's own. */
  commands?: readonly ChatCommand[];
  /** The chat log (GET /api/chats): every turn main answers, from every interface, is written here. */
  chatLog?: Pick<ChatLog, 'append'>;
}

const SYSTEM_PROMPT = `You are "main", the orchestrator of Wactorz, an actor-model hub for multi-agent AI.
Agents are actors that talk over MQTT. The user can address an agent directly with "@name {json}" or
"@name text", run commands such as /agents, /help, /cost and /memory, and chat with you. Be concise and helpful.`;

const HA_NOT_CONFIGURED =
  "That sounds like a Home Assistant request, but Home Assistant isn't configured, so I can't see or control devices yet. " +
  'Set HA_URL (e.g. http://homeassistant.local:8123) and HA_TOKEN (a long-lived access token from your HA profile) and restart Wactorz.';

const PLANNER_UNAVAILABLE =
  "That sounds like a pipeline — something that keeps running and reacts to events — but the planner isn't available yet, so I can't build it. " +
  'You can still ask me about it, or talk to an agent directly with @name.';

/** LLM failures where a second call (the conversational reply) would fail the same way. */
const PERMANENT_LLM_FAILURES: ReadonlySet<LlmErrorKind> = new Set(['auth', 'connection', 'not_configured', 'model_not_found', 'cost_limit']);

/** A routed request that asked the user a question: their next message answers it. */
interface PendingClarification {
  agent: string;
  at: number;
}
const CLARIFICATION_TTL_MS = 10 * 60_000;

export class MainActor extends LLMAgent {
  private readonly opts: MainActorOptions;
  private readonly extraCommands = new Map<string, MainCommand>();
  private readonly clarifications = new Map<string, PendingClarification>();
  private memoryStore: UserMemory | undefined;
  /** Alerts from the monitor, newest last (for /alerts). */
  readonly alerts: unknown[] = [];

  constructor(opts: MainActorOptions) {
    super({
      name: 'main',
      kind: 'core',
      protected: true,
      description: 'LLM orchestrator: routes chat to agents (Home Assistant, planner, @mentions), runs commands, remembers what the user tells it',
      capabilities: ['chat', 'routing', 'commands', 'intent', 'user_memory'],
      publishes: ['agents/{id}/chat', 'io/chat/response'],
      llm: opts.llm,
      costs: opts.costs,
      systemPrompt: SYSTEM_PROMPT,
      history: { ...opts.history, ...(opts.historyTurns === undefined ? {} : { keepRecentTurns: opts.historyTurns }) },
    });
    this.opts = opts;
    this.registerCommand({
      name: 'alerts',
      usage: '/alerts',
      help: 'recent monitor alerts',
      run: () => (this.alerts.length ? this.alerts.slice(-20).map((a) => JSON.stringify(a)).join('\n') : 'No alerts.'),
    });
    for (const cmd of memoryCommands(() => this.memory, this)) this.registerCommand(cmd);
    for (const cmd of opts.commands ?? []) this.registerCommand({ name: cmd.name, usage: cmd.usage, help: cmd.help, run: (_ctx, args) => cmd.run(args) });
  }

  /** Lets other parts add commands (shown by /help). */
  registerCommand(cmd: MainCommand): void {
    this.extraCommands.set(cmd.name, cmd);
  }

  /** What main knows about the user (SQLite user_facts). */
  get memory(): UserMemory {
    return (this.memoryStore ??= new UserMemory(this.system.persistence.db));
  }

  protected override handleMessage(msg: Message): Promise<void> | void {
    if (msg.type === 'TASK' && isChatKind(msg.payload)) {
      // Chat is the user's (interfaces, io, REST): code agents asking main to chat could make its
      // LLM write <spawn> blocks — a way around the capabilities they were granted.
      const sender = this.system.get(msg.sender);
      if (sender && sender.kind !== 'core') {
        this.replyError(msg, new TaskError(`${msg.sender} may not chat with main: chat is for the user's interfaces`, 'refused'));
        return;
      }
      // The chat contract (src/shared/chat.ts), as IOAgent and the other interfaces send it.
      const chat = parseChatTask(msg.payload);
      if (!chat.ok) this.replyError(msg, new TaskError(chat.error, 'bad_input'));
      else void this.serveChat(msg, chat.task);
      return;
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

  /** Main answers chats (above), not bare `{text}` tasks: those would slip past routing and the user's history. */
  protected override handleTask(): Promise<unknown> {
    return Promise.reject(new TaskError('main takes chat tasks: {"kind": "chat", "text": "…", "from": "…", "interface": "…", "message_id": "…"}', 'bad_input'));
  }

  private async serveChat(msg: Message, chat: ChatTask): Promise<void> {
    this.counters.messagesProcessed++;
    try {
      const result = await this.processUserInput(chat.text, {
        interface: chat.interface,
        from: chat.from,
        onChunk: (c) => this.system.streams.emit(chat.message_id, c),
        announce: chat.announce,
      });
      this.counters.tasksCompleted++;
      this.reply(msg, result);
    } catch (e) {
      this.counters.tasksFailed++;
      this.replyError(msg, e);
    }
  }

  /**
   * The one entry point for every interface. Never throws for user input: errors become replies.
   * The reply is posted on `agents/{main}/chat` for other clients to see (unless `announce` is
   * false); the user's own words are not — the original never put them there, and its dashboard,
   * which already shows what the user typed, would show them twice.
   */
  async processUserInput(
    text: string,
    ctx: { interface: string; from: string; onChunk?: (chunk: string) => void; announce?: boolean | undefined },
  ): Promise<ChatResult> {
    const askedAt = Date.now() / 1000;
    const result = await this.route(text, ctx).catch((e: unknown): ChatResult => ({ reply: `Error: ${toError(e).message}`, agent: 'main' }));
    this.logChat(text, result, `${ctx.interface}:${ctx.from}`, askedAt);
    if (ctx.announce !== false) this.publishChat({ from: result.agent, to: ctx.from, content: result.reply, role: 'assistant', interface: ctx.interface });
    return result;
  }

  /** Both turns into the chat log; a failed write is logged, never the user's problem. */
  private logChat(text: string, result: ChatResult, session: string, askedAt: number): void {
    const log = this.opts.chatLog;
    if (!log) return;
    try {
      log.append({ agent: result.agent, role: 'user', content: text, session, ts: askedAt });
      log.append({ agent: result.agent, role: 'assistant', content: result.reply, session });
    } catch (e) {
      this.log('warning', `could not write the chat log: ${toError(e).message}`);
    }
  }

  private async route(text: string, ctx: { from: string; onChunk?: (chunk: string) => void }): Promise<ChatResult> {
    const input = parseInput(text);
    switch (input.kind) {
      case 'mention':
        // The original's chat targets for main itself: what follows is the message.
        if (MAIN_TARGETS.has(input.target)) return this.route(input.raw, ctx);
        return this.mention(input.target, input.payload);
      case 'command': {
        const cmd = findCommand(this.commandContext(), input.command);
        if (!cmd) return { reply: `Unknown command /${input.command}. /help lists the commands.`, agent: 'main' };
        return { reply: await cmd.run(this.commandContext(), input.args), agent: 'main' };
      }
      case 'chat':
        return this.chatMessage(input.text, ctx);
    }
  }

  private async chatMessage(text: string, ctx: { from: string; onChunk?: (chunk: string) => void }): Promise<ChatResult> {
    if (!text) return { reply: 'Say something, or type /help for the commands.', agent: 'main' };
    const noted = this.memory.remember(extractFacts(text));
    if (!this.llm.configured) {
      const ack = noted.length ? `Noted: ${describeFacts(noted)}. ` : '';
      return {
        reply: `${ack}I can run commands (/help) and pass messages to agents (@name …), but no LLM is configured for conversation. ${this.llmSummary()}`,
        agent: 'main',
      };
    }
    const pending = this.takeClarification(ctx.from);
    if (!pending && this.opts.agents?.wantsAgent(text)) return this.writeAgent(text);
    const intent: Intent = pending ? (pending.agent === PLANNER_AGENT ? 'PIPELINE' : 'HA') : await this.classify(text);
    switch (intent) {
      case 'HA':
        return this.routeRequest(text, ctx.from, HOME_ASSISTANT_AGENT, 'Home Assistant', HA_NOT_CONFIGURED, 'HA');
      case 'PIPELINE':
        return this.routeRequest(text, ctx.from, PLANNER_AGENT, 'The planner', PLANNER_UNAVAILABLE, 'PIPELINE');
      case 'OTHER': {
        const agents = this.opts.agents;
        const reply = agents ? await agents.converse(ctx.onChunk, (c) => this.converse(text, c)) : await this.converse(text, ctx.onChunk);
        return { reply, agent: 'main', intent: 'OTHER' };
      }
    }
  }

  /** The agent writer: the LLM writes the module, it is checked (repair rounds) and spawned. */
  private async writeAgent(text: string): Promise<ChatResult> {
    const reply = await this.opts.agents!.writeAgent(text);
    this.recordExchange(text, reply);
    return { reply, agent: 'main' };
  }

  /** Whether a classification call can change anything: only when there is somewhere to route to. */
  private shouldClassify(): boolean {
    return this.opts.classify !== false && (this.isUp(HOME_ASSISTANT_AGENT) || this.isUp(PLANNER_AGENT));
  }

  private isUp(name: string): boolean {
    const s = this.system.get(name)?.state;
    return s === 'running' || s === 'paused' || s === 'starting';
  }

  /** HA | PIPELINE | OTHER, from one small LLM call that also returns stated facts. */
  private async classify(text: string): Promise<Intent> {
    if (!this.shouldClassify()) return 'OTHER';
    let answer: string;
    try {
      const res = await this.complete(text, { system: CLASSIFY_SYSTEM_PROMPT, maxTokens: 150, temperature: 0, timeoutMs: this.opts.classifyTimeoutMs ?? 30_000 });
      answer = res.text;
    } catch (e) {
      if (isLlmError(e) && PERMANENT_LLM_FAILURES.has(e.kind)) throw e;
      this.log('warning', `intent classification failed (${toError(e).message}); answering as conversation`);
      return 'OTHER';
    }
    const c = parseClassification(answer);
    if (c.facts.length) this.memory.remember(c.facts);
    if (!c.understood) this.log('info', `unreadable intent ${JSON.stringify(answer.slice(0, 200))} — treated as OTHER`);
    return c.intent;
  }

  private async routeRequest(text: string, from: string, agent: string, label: string, absent: string, intent: Intent): Promise<ChatResult> {
    if (!this.isUp(agent)) {
      this.recordExchange(text, absent);
      return { reply: absent, agent: 'main', intent };
    }
    const facts = this.memory.all();
    const payload = { kind: intent === 'HA' ? 'natural_language' : 'pipeline', text, from, ...(Object.keys(facts).length ? { user_facts: facts } : {}) };
    let result: ChatResult;
    try {
      const answer = await this.ask(agent, payload, this.opts.routeTimeoutMs ?? 120_000);
      if (needsClarification(answer)) this.clarifications.set(from, { agent, at: Date.now() });
      result = { reply: formatRouted(answer), agent, intent };
    } catch (e) {
      const why = e instanceof AskError ? e.payload.error : toError(e).message;
      result = { reply: `${label} could not do that: ${why}`, agent, intent };
    }
    this.recordExchange(text, result.reply);
    return result;
  }

  private takeClarification(from: string): PendingClarification | undefined {
    const p = this.clarifications.get(from);
    this.clarifications.delete(from);
    return p && Date.now() - p.at < CLARIFICATION_TTL_MS && this.isUp(p.agent) ? p : undefined;
  }

  private async mention(target: string, payload: unknown): Promise<ChatResult> {
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

  /**
   * Conversation with the LLM, streamed; history and summary come from LLMAgent. A failure after
   * part of the answer was streamed is streamed too: a client that shows chunks shows the error.
   */
  protected async converse(text: string, onChunk?: (chunk: string) => void): Promise<string> {
    let streamed = false;
    try {
      return await this.chat(text, onChunk && ((c) => ((streamed = true), onChunk(c))));
    } catch (e) {
      if (streamed) onChunk!(`\nError: ${toError(e).message}`);
      throw e;
    }
  }

  /** Main's system prompt also carries what the user told it and the agents it can point to. */
  protected override promptContext(): string[] {
    return [this.memory.promptSection(), this.agentsSection(), this.opts.agents?.promptSection() ?? ''];
  }

  private agentsSection(): string {
    const others = this.system
      .list()
      .filter((a) => a.name !== this.name && (a.state === 'running' || a.state === 'paused'))
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice(0, 40)
      .map((a) => `- @${a.name}${a.description ? `: ${a.description.slice(0, 120)}` : ''}`);
    return others.length ? `Agents running now (the user can address them with @name):\n${others.join('\n')}` : '';
  }

  private commandContext(): CommandContext {
    return { system: this.system, costs: this.costs, llmSummary: this.llmSummary(), extra: this.extraCommands };
  }

  private llmSummary(): string {
    return typeof this.opts.llmSummary === 'function' ? this.opts.llmSummary() : this.opts.llmSummary;
  }

  private publishChat(c: Omit<AgentChat, 'timestamp'>): void {
    this.publish(topics.agent(this.actorId, 'chat'), { ...c, timestamp: Date.now() / 1000 });
  }
}

function needsClarification(answer: unknown): boolean {
  return Boolean(answer && typeof answer === 'object' && (answer as { needs_clarification?: unknown }).needs_clarification === true);
}

/** A routed agent's answer for people: its sentence (`result`, `reply`, …) when it has one. */
function formatRouted(answer: unknown): string {
  if (answer && typeof answer === 'object' && !Array.isArray(answer)) {
    const a = answer as Record<string, unknown>;
    for (const k of ['result', 'reply', 'response', 'text', 'message']) if (typeof a[k] === 'string' && a[k]) return a[k] as string;
  }
  return formatResult(answer);
}

function formatResult(result: unknown): string {
  if (typeof result === 'string') return result;
  if (result === undefined || result === null) return 'done';
  return JSON.stringify(result, null, 2);
}
