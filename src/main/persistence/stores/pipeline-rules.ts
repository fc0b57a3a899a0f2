/** Reactive pipelines built by the planner (pipeline_rules): the user's request and the agents implementing it. */
import type { Database } from 'better-sqlite3';
import { fromJson, nowSeconds, toJson } from './json-column.js';

export interface PipelineRule {
  ruleId: string;
  task: string;
  agents: string[];
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  rule_id: string;
  task: string;
  agents: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export class PipelineRules {
  constructor(private readonly db: Database) {}

  upsert(rule: { ruleId: string; task: string; agents: string[]; enabled?: boolean }): PipelineRule {
    const now = nowSeconds();
    this.db
      .prepare(
        `INSERT INTO pipeline_rules (rule_id, task, agents, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (rule_id) DO UPDATE SET task = excluded.task, agents = excluded.agents, enabled = excluded.enabled,
           updated_at = excluded.updated_at`,
      )
      .run(rule.ruleId, rule.task, toJson(rule.agents, `pipeline_rules ${rule.ruleId}`), rule.enabled === false ? 0 : 1, now, now);
    return this.get(rule.ruleId)!;
  }

  get(ruleId: string): PipelineRule | undefined {
    const r = this.db.prepare('SELECT * FROM pipeline_rules WHERE rule_id = ?').get(ruleId) as Row | undefined;
    return r && toRule(r);
  }

  list(opts: { enabledOnly?: boolean } = {}): PipelineRule[] {
    const sql = `SELECT * FROM pipeline_rules ${opts.enabledOnly ? 'WHERE enabled = 1' : ''} ORDER BY created_at, rowid`;
    return (this.db.prepare(sql).all() as Row[]).map(toRule);
  }

  setEnabled(ruleId: string, enabled: boolean): boolean {
    return this.db.prepare('UPDATE pipeline_rules SET enabled = ?, updated_at = ? WHERE rule_id = ?').run(enabled ? 1 : 0, nowSeconds(), ruleId).changes > 0;
  }

  remove(ruleId: string): boolean {
    return this.db.prepare('DELETE FROM pipeline_rules WHERE rule_id = ?').run(ruleId).changes > 0;
  }
}

function toRule(r: Row): PipelineRule {
  return {
    ruleId: r.rule_id,
    task: r.task,
    agents: fromJson<string[]>(r.agents, `pipeline_rules ${r.rule_id}`),
    enabled: r.enabled === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
