/**
 * HomeAssistantAgent ('home-assistant-agent'): controls Home Assistant for people and agents.
 *
 * - Structured tasks (no LLM): `{"action":"call_service","domain":"light","service":"turn_on",
 *   "entity_id":"light.living_room"}`, states, state, entities, services, areas, devices, map,
 *   create_automation, get_automation, list_automations, delete_automation, history, status.
 * - Natural language (`{kind:'natural_language', text}` from MainActor, or plain text): the LLM
 *   maps the request to entities and service calls; the plan is validated before anything runs;
 *   an ambiguous request gets a question back, and the answer to it continues the same request.
 *
 * RESULT payloads are `{result: "a sentence", data?, …}` like the original's.
 */
import type { Message } from '../../../../shared/message.js';
import { Actor } from '../../../core/actor.js';
import { TaskError } from '../../../core/errors.js';
import type { ChatMessage, LlmProvider } from '../../../llm/provider.js';
import type { HaConnection } from '../ha-connection.js';
import type { HaStateHistory } from '../bridge/state-history.js';
import { HA_TASK_ACTIONS, parseHaTask } from './ha-task-schema.js';
import { HaTaskRunner, type HaTaskResult, taskErrorFrom } from './ha-task-runner.js';
import { type HaPlan, planRequest } from './nl-plan.js';

export const HOME_ASSISTANT_AGENT_NAME = 'home-assistant-agent';

export interface HomeAssistantAgentDeps {
  /** null when HA is not configured: every task answers with `notConfiguredReason`. */
  connection: HaConnection | null;
  notConfiguredReason?: string;
  /** null: natural language is refused with a note that structured tasks still work. */
  llm: LlmProvider | null;
  history?: HaStateHistory | null;
  name?: string;
  /** Bound on one LLM call (default: the provider's). */
  llmTimeoutMs?: number;
  /** How long a question waits for its answer (default 10 min). */
  clarificationTtlMs?: number;
}

interface PendingQuestion {
  request: string;
  question: string;
  at: number;
}

const EXAMPLE = '{"action":"call_service","domain":"light","service":"turn_on","entity_id":"light.living_room"}';

export class HomeAssistantAgent extends Actor {
  private readonly pending = new Map<string, PendingQuestion>();

  constructor(private readonly deps: HomeAssistantAgentDeps) {
    super({
      name: deps.name ?? HOME_ASSISTANT_AGENT_NAME,
      description: 'Controls Home Assistant: entities, states, services, areas, automations — from structured tasks or plain language.',
      capabilities: ['home_automation', 'ha_entities', 'ha_services', 'ha_automations', 'ha_areas', 'ha_history'],
      inputSchema: {
        action: `one of ${HA_TASK_ACTIONS.join(', ')} (structured, no LLM), e.g. ${EXAMPLE}`,
        text: 'a request in plain language, e.g. "turn on the living room lamp" (needs an LLM)',
      },
      outputSchema: { result: 'str — a sentence for people', data: 'the structured answer (states, plan, automation…)' },
    });
  }

  protected override async handleTask(payload: unknown, msg: Message): Promise<unknown> {
    const conn = this.deps.connection;
    if (!conn) throw new TaskError(this.deps.notConfiguredReason ?? 'Home Assistant is not configured: set HA_URL and HA_TOKEN.', 'not_configured');
    const input = classifyInput(payload);
    if (input.kind === 'invalid') throw new TaskError(input.error, 'bad_input');
    const runner = new HaTaskRunner(conn, this.deps.history ?? null);
    if (input.kind === 'structured') {
      const parsed = parseHaTask(input.task);
      if (!parsed.ok) throw new TaskError(parsed.error, 'bad_input');
      return runner.run(parsed.task);
    }
    return this.naturalLanguage(input.text, conversationKey(payload, msg), runner, conn, userFacts(payload));
  }

  private async naturalLanguage(text: string, who: string, runner: HaTaskRunner, conn: HaConnection, facts: Record<string, string>): Promise<HaTaskResult> {
    const llm = this.deps.llm;
    if (!llm || !llm.configured) {
      throw new TaskError(`I need an LLM to understand plain language, and none is configured. Structured tasks still work, e.g. @${this.name} ${EXAMPLE}`, 'not_configured');
    }
    try {
      conn.assertUsable();
      await conn.map.ensureLoaded();
    } catch (e) {
      throw taskErrorFrom(e);
    }
    const ctx = { entities: conn.map.entities(), services: await conn.getServices().catch((e: unknown) => Promise.reject(taskErrorFrom(e))), facts };

    const history: ChatMessage[] = [];
    const pending = this.pending.get(who);
    this.pending.delete(who);
    if (pending && Date.now() - pending.at < (this.deps.clarificationTtlMs ?? 600_000)) {
      history.push({ role: 'user', content: pending.request }, { role: 'assistant', content: JSON.stringify({ type: 'question', question: pending.question }) });
    }

    let outcome;
    try {
      outcome = await planRequest(llm, text, ctx, history, { timeoutMs: this.deps.llmTimeoutMs });
    } catch (e) {
      throw new TaskError(`the LLM could not plan this request: ${(e as Error).message}`, 'llm_error');
    }
    if (!outcome.ok) {
      this.log('warning', `unusable plan from the LLM after ${outcome.rounds} tries: ${outcome.error}; answer was: ${outcome.raw.slice(0, 300)}`);
      throw new TaskError(`I could not turn that into a valid Home Assistant plan (${outcome.error}). Nothing was changed. Try naming the device or room, or use a structured task like ${EXAMPLE}.`, 'bad_plan', { llm_answer: outcome.raw.slice(0, 2000) });
    }
    const plan = outcome.plan;
    this.log('info', `plan for "${text.slice(0, 80)}": ${JSON.stringify(plan).slice(0, 300)}`);
    return this.execute(plan, text, who, runner, conn, pending?.request);
  }

  private async execute(plan: HaPlan, text: string, who: string, runner: HaTaskRunner, conn: HaConnection, earlierRequest?: string): Promise<HaTaskResult> {
    switch (plan.type) {
      case 'question':
        this.pending.set(who, { request: earlierRequest ? `${earlierRequest}\n${text}` : text, question: plan.question, at: Date.now() });
        return { result: plan.question, needs_clarification: true, options: plan.options ?? [], data: { plan } };
      case 'unsupported':
        return { result: `I can't do that with Home Assistant: ${plan.reason}`, unsupported: true, data: { plan } };
      case 'query': {
        const lines: string[] = [];
        const states = [];
        for (const id of plan.entity_ids) {
          const s = await conn.getState(id).catch((e: unknown) => Promise.reject(taskErrorFrom(e)));
          states.push(s);
          const unit = s.attributes.unit_of_measurement;
          lines.push(`${conn.map.entity(id)?.name ?? id} is ${s.state}${typeof unit === 'string' ? ` ${unit}` : ''}`);
        }
        return { result: `${lines.join('; ')}.`, data: { plan, states } };
      }
      case 'actions': {
        const specs = plan.actions.map((a) => ({ domain: a.domain, service: a.service, entityIds: a.entity_id === undefined ? [] : Array.isArray(a.entity_id) ? a.entity_id : [a.entity_id], data: a.data ?? {} }));
        // All or nothing: every call is validated before the first one runs.
        try {
          for (const s of specs) await runner.validateServiceCall(s);
        } catch (e) {
          throw taskErrorFrom(e);
        }
        const done: HaTaskResult[] = [];
        for (const s of specs) {
          try {
            done.push(await runner.callService(s));
          } catch (e) {
            const err = taskErrorFrom(e) as Error;
            const progress = done.length ? ` (${done.length} of ${specs.length} calls had already run: ${done.map((d) => d.result).join(' ')})` : '';
            throw new TaskError(`${err.message}${progress}`, (err as TaskError).kind ?? 'failed');
          }
        }
        const summary = plan.summary ? `${plan.summary.replace(/\.$/, '')}. ` : '';
        return { result: `${summary}${done.map((d) => d.result).join(' ')}`, data: { plan, calls: done.map((d) => d.data) } };
      }
    }
  }
}

type ClassifiedInput = { kind: 'structured'; task: Record<string, unknown> } | { kind: 'text'; text: string } | { kind: 'invalid'; error: string };

/** Structured when it has `action`/`operation`; text from `{kind:'natural_language', text}`, `{text}`, `{content}` or a plain string. */
export function classifyInput(payload: unknown): ClassifiedInput {
  if (typeof payload === 'string') {
    const t = payload.trim();
    if (t.startsWith('{')) {
      try {
        return classifyInput(JSON.parse(t));
      } catch {
        return { kind: 'invalid', error: `that looks like JSON but does not parse — send e.g. ${EXAMPLE}` };
      }
    }
    return t ? { kind: 'text', text: t } : { kind: 'invalid', error: 'empty request' };
  }
  if (payload && typeof payload === 'object' && !Array.isArray(payload)) {
    const p = payload as Record<string, unknown>;
    if (typeof p.action === 'string' || typeof p.operation === 'string') return { kind: 'structured', task: p };
    for (const k of ['text', 'content', 'message', 'task']) {
      const v = p[k];
      if (typeof v === 'string' && v.trim()) return classifyInput(v);
    }
  }
  return { kind: 'invalid', error: `send a structured task like ${EXAMPLE}, or {"text": "turn on the kitchen light"}` };
}

/** MainActor passes facts the user stated (`user_facts`); only string values are kept. */
function userFacts(payload: unknown): Record<string, string> {
  const f = payload && typeof payload === 'object' ? (payload as { user_facts?: unknown }).user_facts : undefined;
  if (!f || typeof f !== 'object' || Array.isArray(f)) return {};
  return Object.fromEntries(Object.entries(f as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string').slice(0, 50));
}

/** Whose conversation a clarification belongs to: the user named in the task, else the sender. */
function conversationKey(payload: unknown, msg: Message): string {
  if (payload && typeof payload === 'object') {
    const p = payload as Record<string, unknown>;
    for (const k of ['user', 'from', 'conversation_id']) if (typeof p[k] === 'string' && p[k]) return `${msg.sender}:${p[k] as string}`;
  }
  return msg.sender;
}
