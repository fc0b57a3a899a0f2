/**
 * Where pipelines live: the rule (request, agent names, enabled) in `pipeline_rules`, each agent's
 * topics in `topic_contracts`, and the whole plan document under the planner's durable key
 * `pipeline_rules:<id>` (SQLite `kv`). The agents themselves are in the spawn registry, so after a
 * restart the DynamicAgent service brings them back and this store still describes them.
 */
import type { Persistence } from '../../persistence/persistence.js';
import { PipelineRules, type PipelineRule } from '../../persistence/stores/pipeline-rules.js';
import { TopicContracts } from '../../persistence/stores/topic-contracts.js';
import { actorIdFor } from '../../core/actor-id.js';
import type { Plan, PlanTopic } from './plan-schema.js';
import type { PipelineAgentStatus } from '../../../shared/rest.js';

export const PLANNER_NAME = 'planner';

/** A pipeline agent as stored; REST adds its live `state` (src/shared/rest.ts). */
export type PipelineAgentRecord = Omit<PipelineAgentStatus, 'state'>;

export interface PipelineDocument {
  id: string;
  description: string;
  request: string;
  summary: string;
  agents: PipelineAgentRecord[];
  topics: PlanTopic[];
  plan: Plan;
  warnings: string[];
  created_at: number;
}

export interface PipelineView extends PipelineDocument {
  enabled: boolean;
  updated_at: number;
}

const docKey = (id: string): string => `pipeline_rules:${id}`;

export class PipelineStore {
  readonly rules: PipelineRules;
  readonly contracts: TopicContracts;

  constructor(private readonly persistence: Persistence) {
    this.rules = new PipelineRules(persistence.db);
    this.contracts = new TopicContracts(persistence.db);
  }

  exists(id: string): boolean {
    return this.rules.get(id) !== undefined;
  }

  async save(doc: PipelineDocument): Promise<void> {
    await this.persistence.persist(PLANNER_NAME, docKey(doc.id), doc);
    for (const a of doc.agents) {
      const consumes = doc.topics.filter((t) => t.to.includes(a.name) && t.schema !== undefined);
      const produces = doc.topics.filter((t) => t.from.includes(a.name) && t.schema !== undefined);
      this.contracts.upsert({
        name: a.name,
        actorId: actorIdFor(a.name),
        publishes: [...new Set([...a.publishes, ...doc.topics.filter((t) => t.from.includes(a.name)).map((t) => t.topic)])],
        subscribes: [...new Set([...a.subscribes, ...doc.topics.filter((t) => t.to.includes(a.name)).map((t) => t.topic)])],
        triggersWhen: { pipeline: doc.id, role: a.role },
        producesSchema: Object.fromEntries(produces.map((t) => [t.topic, t.schema])),
        consumesSchema: Object.fromEntries(consumes.map((t) => [t.topic, t.schema])),
      });
    }
    // The rule last: a pipeline is listed only once everything about it is stored.
    this.rules.upsert({ ruleId: doc.id, task: doc.request, agents: doc.agents.map((a) => a.name) });
  }

  async get(id: string): Promise<PipelineView | undefined> {
    const rule = this.rules.get(id);
    return rule ? this.view(rule) : undefined;
  }

  async list(): Promise<PipelineView[]> {
    return Promise.all(this.rules.list().map((r) => this.view(r)));
  }

  async remove(id: string): Promise<PipelineView | undefined> {
    const view = await this.get(id);
    if (!view) return undefined;
    for (const a of view.agents) this.contracts.remove(a.name);
    await this.persistence.forget(PLANNER_NAME, docKey(id));
    this.rules.remove(id);
    return view;
  }

  private async view(rule: PipelineRule): Promise<PipelineView> {
    const doc = await this.persistence.recall<PipelineDocument>(PLANNER_NAME, docKey(rule.ruleId));
    const fallback: PipelineDocument = {
      id: rule.ruleId,
      description: rule.task,
      request: rule.task,
      summary: '',
      agents: rule.agents.map((name) => {
        const c = this.contracts.get(name);
        return { name, role: String(c?.triggersWhen.role ?? ''), type: 'unknown', subscribes: c?.subscribes ?? [], publishes: c?.publishes ?? [] };
      }),
      topics: [],
      plan: { name: rule.ruleId, description: rule.task, agents: [], topics: [] } as unknown as Plan,
      warnings: [],
      created_at: rule.createdAt,
    };
    return { ...(doc ?? fallback), enabled: rule.enabled, updated_at: rule.updatedAt };
  }
}
