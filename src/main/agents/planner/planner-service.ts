/**
 * From a request ("when the living-room lamp turns on, send a webhook") to a running pipeline:
 * 1. ask the LLM for a plan (plan-prompt.ts), parse and validate it (plan-schema.ts), check it
 *    against the hub (plan-check.ts); on a problem, ONE repair round with the error given back;
 * 2. spawn its agents in order (consumers first) through the catalog (recipes), the DynamicAgent
 *    service (code, llm agents, ha_actuator specs); if one fails, the ones already spawned are
 *    removed again — a pipeline runs whole or not at all;
 * 3. record it (pipeline_rules, topic_contracts, the plan document) and report it, with a
 *    `job_done` log entry (job_kind `pipeline`).
 * The agents are in the spawn registry, so they (and this record) are back after a restart.
 */
import { randomUUID } from 'node:crypto';
import type { ActorSystem } from '../../core/actor-system.js';
import { toError } from '../../core/errors.js';
import type { ChatMessage, LlmProvider } from '../../llm/provider.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import { CatalogError } from '../catalog/catalog-errors.js';
import type { DynamicAgentService } from '../dynamic/dynamic-agent-service.js';
import { parseSpawnSpec } from '../dynamic/spawn-spec.js';
import { checkPlan, type PlanCheck } from './plan-check.js';
import { parsePlanReply } from './plan-parse.js';
import { plannerSystemPrompt, repairPrompt } from './plan-prompt.js';
import type { Plan, PlanAgent } from './plan-schema.js';
import { PipelineStore, type PipelineAgentRecord, type PipelineDocument, type PipelineView } from './pipeline-store.js';
import type { Logger } from '../../base/logger.js';
import type { Asker } from '../../../shared/approvals.js';

export interface PlannerServiceOptions {
  system: ActorSystem;
  /** Billed to the planner by the caller (withCostTracking). */
  llm: LlmProvider;
  catalog: CatalogService;
  dynamic: () => DynamicAgentService | undefined;
  store: PipelineStore;
  /** Null when Home Assistant is configured, else why not. */
  homeAssistantMissing?: () => string | null;
  /** Publishes a log entry on the planner's log topic (job_done). */
  publishLog?: (entry: Record<string, unknown>) => void;
  log?: Logger<'info' | 'warning' | 'error'>;
  llmTimeoutMs?: number;
}

export interface PipelineReply {
  /** The sentence(s) for the user. */
  result: string;
  ok: boolean;
  pipeline?: PipelineView;
  needs_clarification?: boolean;
  question?: string;
  plan?: Plan;
  warnings?: string[];
}

/** A pipeline with the live state of each agent (`absent` when it is not in the actor system). */
export type PipelineStatus = Omit<PipelineView, 'agents'> & { agents: (PipelineAgentRecord & { state: string })[] };

export class PlannerError extends Error {
  constructor(
    message: string,
    readonly kind: 'bad_plan' | 'spawn_failed' | 'unavailable' | 'not_found' | 'needs_approval' | 'rate_limited' | 'too_many_agents',
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

export class PlannerService {
  constructor(private readonly opts: PlannerServiceOptions) {}

  get store(): PipelineStore {
    return this.opts.store;
  }

  /** Plans and builds a pipeline. Never throws for a bad plan or spawn: the reply says what happened. */
  /**
   * `requester`: the code agent that asked (granted plan_pipelines), so the pipeline's spawns count
   * against it and are approved as its asks; absent, they are the planner's LLM's.
   */
  async handle(request: string, ctx: { userFacts?: Record<string, unknown> | undefined; dryRun?: boolean; requester?: string } = {}): Promise<PipelineReply> {
    const started = Date.now();
    const jobId = randomUUID();
    const planned = await this.plan(request, ctx.userFacts);
    if ('question' in planned) return { ok: false, result: planned.question, needs_clarification: true, question: planned.question };
    const { plan, check } = planned;
    if (ctx.dryRun) return { ok: true, result: describePlan(plan, 'would run'), plan, warnings: check.warnings };
    try {
      const waiting: string[] = [];
      const asker: Asker = ctx.requester ? { kind: 'agent', name: ctx.requester, via: 'planner' } : { kind: 'llm', name: 'planner', via: 'planner' };
      const pipeline = await this.build(request, plan, check, asker, waiting);
      const result = `${plan.summary?.trim() || plan.description} — pipeline "${plan.name}" is running: ${describeAgents(pipeline.agents)}.${check.warnings.length ? ` Note: ${check.warnings.join('; ')}.` : ''}${waiting.length ? ` ${waiting.join(' ')}` : ''}`;
      this.jobDone(jobId, true, `pipeline ${plan.name} is running (${pipeline.agents.length} agents)`, started);
      return { ok: true, result, pipeline, warnings: check.warnings };
    } catch (e) {
      const err = toError(e);
      this.jobDone(jobId, false, `pipeline ${plan.name} failed: ${err.message}`, started);
      throw e instanceof PlannerError ? e : new PlannerError(err.message, 'spawn_failed');
    }
  }

  /** Asks for a plan; one repair round with the problems given back. */
  async plan(request: string, userFacts?: Record<string, unknown>): Promise<{ plan: Plan; check: PlanCheck } | { question: string }> {
    const dynamic = this.requireDynamic();
    const system = plannerSystemPrompt({
      recipes: this.opts.catalog.list(),
      homeAssistantMissing: this.opts.homeAssistantMissing?.() ?? null,
      agents: this.opts.system.list().map((a) => ({ name: a.name, description: a.description })),
      userFacts,
    });
    const messages: ChatMessage[] = [{ role: 'user', content: request }];
    let lastError = '';
    for (let round = 0; round < 2; round++) {
      let text: string;
      try {
        text = (await this.opts.llm.complete(messages, system, { maxTokens: 4_000, temperature: 0.2, timeoutMs: this.opts.llmTimeoutMs ?? 120_000 })).text;
      } catch (e) {
        throw new PlannerError(`the LLM could not plan it: ${toError(e).message}`, 'unavailable');
      }
      const parsed = parsePlanReply(text);
      if (parsed.ok && 'question' in parsed) return { question: parsed.question };
      if (parsed.ok) {
        const check = checkPlan(parsed.plan, {
          system: this.opts.system,
          catalog: this.opts.catalog,
          dynamic,
          homeAssistantMissing: this.opts.homeAssistantMissing ?? (() => 'not configured'),
          pipelineExists: (id) => this.opts.store.exists(id),
        });
        if (!check.problems.length) return { plan: parsed.plan, check };
        lastError = check.problems.join('\n');
      } else lastError = parsed.error;
      this.opts.log?.('warning', `plan rejected (round ${round + 1}): ${lastError}`);
      messages.push({ role: 'assistant', content: text }, { role: 'user', content: repairPrompt(lastError) });
    }
    throw new PlannerError(`I could not make a valid plan for that, even after a repair round: ${lastError}`, 'bad_plan', { error: lastError });
  }

  /** Spawns the checked plan in order, rolling back on failure, then records it. */
  async build(request: string, plan: Plan, check: PlanCheck, asker: Asker = { kind: 'llm', name: 'planner', via: 'planner' }, waiting: string[] = []): Promise<PipelineView> {
    const dynamic = this.requireDynamic();
    const spawned: string[] = [];
    try {
      for (const agent of check.order) {
        const approval = await this.spawnAgent(plan, agent, dynamic, asker);
        if (approval) waiting.push(`${agent.name}: ${approval}`);
        spawned.push(agent.name);
      }
    } catch (e) {
      for (const name of spawned.reverse()) {
        await dynamic.remove(name).catch((err: unknown) => this.opts.log?.('warning', `rollback: could not remove ${name}: ${toError(err).message}`));
      }
      const capKind = (e as { kind?: unknown }).kind;
      const kind = e instanceof CatalogError && e.kind === 'needs_approval' ? 'needs_approval' : capKind === 'rate_limited' || capKind === 'too_many_agents' ? capKind : 'spawn_failed';
      throw new PlannerError(`the pipeline was not started (nothing of it is left running): ${toError(e).message}`, kind, e instanceof CatalogError ? e.detail : undefined);
    }
    const doc: PipelineDocument = {
      id: plan.name,
      description: plan.description,
      request,
      summary: plan.summary ?? '',
      agents: plan.agents.map((a) => agentRecord(a)),
      topics: plan.topics,
      plan: redactPlan(plan, this.opts.catalog),
      warnings: check.warnings,
      created_at: Date.now() / 1000,
    };
    await this.opts.store.save(doc);
    this.opts.log?.('info', `pipeline ${plan.name} is running: ${doc.agents.map((a) => a.name).join(', ')}`);
    return (await this.opts.store.get(plan.name))!;
  }

  /** Stops and removes a pipeline's agents and its record. */
  async remove(id: string): Promise<{ id: string; removed: string[] }> {
    const view = await this.opts.store.get(id);
    if (!view) throw new PlannerError(`no pipeline named "${id}"`, 'not_found');
    const dynamic = this.requireDynamic();
    const removed: string[] = [];
    for (const a of view.agents) {
      try {
        await dynamic.remove(a.name);
        removed.push(a.name);
      } catch (e) {
        this.opts.log?.('warning', `removing ${a.name} of pipeline ${id}: ${toError(e).message}`);
      }
    }
    await this.opts.store.remove(id);
    return { id, removed };
  }

  /** Pipelines with the live state of their agents. */
  async list(): Promise<PipelineStatus[]> {
    const all = await this.opts.store.list();
    return all.map((p) => ({ ...p, agents: p.agents.map((a) => ({ ...a, state: this.opts.system.get(a.name)?.state ?? 'absent' })) }));
  }

  /** Spawns one agent of the plan; what of it waits for a person's approval, in a sentence (or undefined). */
  private async spawnAgent(plan: Plan, a: PlanAgent, dynamic: DynamicAgentService, asker: Asker): Promise<string | undefined> {
    const source = `planner:${plan.name}`;
    const description = `${a.role} (pipeline ${plan.name})`;
    const capabilities = a.capabilities.filter((c) => c.toLowerCase() !== 'fetch_local');
    // The topics the plan wires it by are what it may use on the bus (src/main/grants): its own and the contracts'.
    const publishes = [...new Set([...a.publishes, ...plan.topics.filter((t) => t.from.includes(a.name)).map((t) => t.topic)])];
    const subscribes = [...new Set([...a.subscribes, ...plan.topics.filter((t) => t.to.includes(a.name)).map((t) => t.topic)])];
    if (a.type === 'catalog') {
      return (await this.opts.catalog.spawn(a.recipe!, { name: a.name, config: a.config ?? {} }, 'llm', asker)).approval?.message;
    }
    const raw =
      a.type === 'dynamic'
        ? { name: a.name, type: 'dynamic', description, code: a.code, language: a.language, capabilities, publishes, subscribes, install: a.install, config: a.config, ...(a.poll_interval !== undefined ? { poll_interval: a.poll_interval } : {}) }
        : a.type === 'llm'
          ? { name: a.name, type: 'llm', description, system_prompt: a.system_prompt, capabilities }
          : { ...a.spec, name: a.name, type: 'ha_actuator', description };
    const spec = parseSpawnSpec(raw);
    if (!spec.ok) throw new Error(`${a.name}: ${spec.error}`);
    const report = await dynamic.spawnFromSpec(spec.spec, source, asker);
    if (!report.ok) throw Object.assign(new Error(report.message), { kind: report.kind });
    // Packages the code needs but nobody approved: the agent would fail on its imports.
    if (a.install.length && /not installed|failed|approval/i.test(report.message.replace(report.approval?.message ?? '', ''))) throw new Error(report.message);
    return report.approval?.message;
  }

  private requireDynamic(): DynamicAgentService {
    const d = this.opts.dynamic();
    if (!d) throw new PlannerError('the DynamicAgent service is not running', 'unavailable');
    return d;
  }

  private jobDone(jobId: string, ok: boolean, message: string, startedMs: number): void {
    this.opts.publishLog?.({ type: 'job_done', message, timestamp: Date.now() / 1000, job_kind: 'pipeline', job_id: jobId, ok, duration_s: (Date.now() - startedMs) / 1000 });
  }
}

function agentRecord(a: PlanAgent): PipelineAgentRecord {
  return { name: a.name, role: a.role, type: a.type, ...(a.recipe ? { recipe: a.recipe } : {}), subscribes: a.subscribes, publishes: a.publishes };
}

/** The stored plan without secret config values (webhook URLs…): those live in the agents' secrets only. */
function redactPlan(plan: Plan, catalog: CatalogService): Plan {
  return {
    ...plan,
    agents: plan.agents.map((a) => {
      if (a.type !== 'catalog' || !a.config) return a;
      const secrets = catalog.get(a.recipe ?? '')?.secrets ?? [];
      return { ...a, config: Object.fromEntries(Object.entries(a.config).map(([k, v]) => [k, secrets.includes(k) ? '(secret)' : v])) };
    }),
  };
}

function describeAgents(agents: PipelineAgentRecord[]): string {
  return agents.map((a) => `${a.name} (${a.recipe ? `${a.recipe} recipe` : a.type}: ${a.role})`).join(', ');
}

function describePlan(plan: Plan, verb: string): string {
  return `Pipeline "${plan.name}" ${verb}: ${describeAgents(plan.agents.map(agentRecord))}.`;
}
