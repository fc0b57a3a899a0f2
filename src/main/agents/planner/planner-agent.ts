/**
 * PlannerAgent ('planner'): MainActor routes PIPELINE requests here as `{kind: 'pipeline', text,
 * from, user_facts?}`. One supervised actor, each request run as its own job beside the mailbox
 * (not one actor per request): MainActor addresses the planner by name, a request is an LLM call
 * plus a few spawns — an actor per request would add heartbeats, registry churn and supervision
 * for nothing — and a failure stays inside its job's reply. What must survive (the pipelines'
 * agents and records) is in SQLite, not in this actor.
 *
 *   {kind: 'pipeline', text, user_facts?}  → {result, ok, pipeline?} | {result, needs_clarification: true}
 *   {action: 'plan', text}                 → the plan without spawning it (dry run)
 *   {action: 'list'}                       → {pipelines}
 *   {action: 'get', id} · {action: 'delete', id}
 *
 * Code agents (dynamic, catalog) may not build or delete pipelines unless granted `plan_pipelines`:
 * a pipeline spawns agents with capabilities the asking agent may not have.
 */
import { z } from 'zod';
import type { Message } from '../../../shared/message.js';
import { Actor } from '../../core/actor.js';
import { TaskError } from '../../core/errors.js';
import { PlannerError, type PlannerService } from './planner-service.js';
import { PLANNER_NAME } from './pipeline-store.js';

const taskSchema = z.union([
  z.looseObject({ kind: z.literal('pipeline'), text: z.string().min(1), user_facts: z.record(z.string(), z.unknown()).optional() }),
  z.object({ action: z.literal('plan'), text: z.string().min(1) }),
  z.object({ action: z.literal('list') }),
  z.object({ action: z.enum(['get', 'delete']), id: z.string().min(1) }),
]);

/** Requests planned at once; more get an ERROR rather than waiting minutes behind LLM calls. */
const MAX_JOBS = 4;
export const PLAN_PIPELINES_CAPABILITY = 'plan_pipelines';

export class PlannerAgent extends Actor {
  private jobs = 0;

  constructor(private readonly planner: PlannerService) {
    super({
      name: PLANNER_NAME,
      description: 'Builds multi-agent pipelines from a request: an LLM plan (agents + topic contracts), validated, spawned in order, recorded',
      capabilities: ['plan_pipelines', 'spawn_agents'],
      inputSchema: { kind: 'pipeline', text: 'string' },
    });
  }

  protected override handleMessage(msg: Message): Promise<void> | void {
    if (msg.type !== 'TASK') return super.handleMessage(msg);
    if (this.jobs >= MAX_JOBS) {
      this.replyError(msg, new TaskError(`the planner is busy with ${this.jobs} requests; try again in a moment`, 'overflow'));
      return;
    }
    this.jobs++;
    this.currentTask = `${this.jobs} pipeline request(s)`;
    // Not awaited: the next request starts while this one waits for the LLM.
    void this.run(msg).finally(() => {
      this.jobs--;
      this.currentTask = this.jobs ? `${this.jobs} pipeline request(s)` : null;
    });
  }

  private async run(msg: Message): Promise<void> {
    try {
      this.assertMayAsk(msg);
      const result = await this.task(msg.payload, this.isCodeAgent(msg.sender) ? msg.sender : undefined);
      this.counters.tasksCompleted++;
      this.reply(msg, result);
    } catch (e) {
      this.counters.tasksFailed++;
      this.counters.errors++;
      const err = e instanceof PlannerError ? new TaskError(e.message, e.kind, e.detail) : e;
      this.log('warning', `request from ${msg.sender} failed: ${(e as Error).message}`);
      this.replyError(msg, err);
    }
  }

  /** Listing is open; building and deleting pipelines is not, for code agents. */
  private assertMayAsk(msg: Message): void {
    const p = msg.payload as { action?: unknown } | null;
    if (p && typeof p === 'object' && (p.action === 'list' || p.action === 'get' || p.action === 'plan')) return;
    const sender = this.system.get(msg.sender);
    if (!sender || (sender.kind !== 'dynamic' && sender.kind !== 'catalog')) return;
    if (!sender.capabilities.map((c) => c.toLowerCase()).includes(PLAN_PIPELINES_CAPABILITY)) {
      throw new TaskError(`${msg.sender} may not build or delete pipelines: it needs the "${PLAN_PIPELINES_CAPABILITY}" capability`, 'refused');
    }
  }

  /** A code agent asking (its pipeline's spawns are its asks, for approvals and the spawn cap). */
  private isCodeAgent(name: string): boolean {
    const kind = this.system.get(name)?.kind;
    return kind === 'dynamic' || kind === 'catalog';
  }

  private async task(payload: unknown, requester?: string): Promise<unknown> {
    const r = taskSchema.safeParse(payload);
    if (!r.success) throw new TaskError('planner tasks: {"kind": "pipeline", "text": "…"} or {"action": "plan" | "list" | "get" | "delete", …}', 'bad_input');
    const t = r.data;
    if ('kind' in t) {
      this.log('info', `planning: ${t.text.slice(0, 200)}`);
      return this.planner.handle(t.text, { userFacts: t.user_facts, ...(requester ? { requester } : {}) });
    }
    switch (t.action) {
      case 'plan':
        return this.planner.handle(t.text, { dryRun: true });
      case 'list':
        return { pipelines: await this.planner.list() };
      case 'get': {
        const p = (await this.planner.list()).find((x) => x.id === t.id);
        if (!p) throw new TaskError(`no pipeline named "${t.id}"`, 'not_found');
        return p;
      }
      case 'delete':
        return this.planner.remove(t.id);
    }
  }
}
