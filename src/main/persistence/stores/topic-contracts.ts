/** What each agent publishes and subscribes to (topic_contracts): the TopicBus registry, kept across restarts. */
import type { Database } from 'better-sqlite3';
import { fromJson, nowSeconds, toJson } from './json-column.js';

export interface TopicContract {
  name: string;
  actorId: string;
  node: string;
  publishes: string[];
  subscribes: string[];
  triggersWhen: Record<string, unknown>;
  producesSchema: Record<string, unknown>;
  consumesSchema: Record<string, unknown>;
  updatedAt: number;
}

export type TopicContractInput = Pick<TopicContract, 'name'> & Partial<Omit<TopicContract, 'name' | 'updatedAt'>>;

interface Row {
  name: string;
  actor_id: string;
  node: string;
  publishes: string;
  subscribes: string;
  triggers_when: string;
  produces_schema: string;
  consumes_schema: string;
  updated_at: number;
}

export class TopicContracts {
  constructor(private readonly db: Database) {}

  /** Creates or replaces the contract of `name` (fields not given take their defaults). */
  upsert(c: TopicContractInput): TopicContract {
    const w = `topic_contracts ${c.name}`;
    this.db
      .prepare(
        `INSERT INTO topic_contracts (name, actor_id, node, publishes, subscribes, triggers_when, produces_schema, consumes_schema, updated_at)
         VALUES (@name, @actor_id, @node, @publishes, @subscribes, @triggers_when, @produces_schema, @consumes_schema, @updated_at)
         ON CONFLICT (name) DO UPDATE SET actor_id = excluded.actor_id, node = excluded.node, publishes = excluded.publishes,
           subscribes = excluded.subscribes, triggers_when = excluded.triggers_when, produces_schema = excluded.produces_schema,
           consumes_schema = excluded.consumes_schema, updated_at = excluded.updated_at`,
      )
      .run({
        name: c.name,
        actor_id: c.actorId ?? '',
        node: c.node ?? '',
        publishes: toJson(c.publishes ?? [], w),
        subscribes: toJson(c.subscribes ?? [], w),
        triggers_when: toJson(c.triggersWhen ?? {}, w),
        produces_schema: toJson(c.producesSchema ?? {}, w),
        consumes_schema: toJson(c.consumesSchema ?? {}, w),
        updated_at: nowSeconds(),
      });
    return this.get(c.name)!;
  }

  get(name: string): TopicContract | undefined {
    const r = this.db.prepare('SELECT * FROM topic_contracts WHERE name = ?').get(name) as Row | undefined;
    return r && toContract(r);
  }

  list(): TopicContract[] {
    return (this.db.prepare('SELECT * FROM topic_contracts ORDER BY name').all() as Row[]).map(toContract);
  }

  remove(name: string): boolean {
    return this.db.prepare('DELETE FROM topic_contracts WHERE name = ?').run(name).changes > 0;
  }
}

function toContract(r: Row): TopicContract {
  const w = `topic_contracts ${r.name}`;
  return {
    name: r.name,
    actorId: r.actor_id,
    node: r.node,
    publishes: fromJson(r.publishes, w),
    subscribes: fromJson(r.subscribes, w),
    triggersWhen: fromJson(r.triggers_when, w),
    producesSchema: fromJson(r.produces_schema, w),
    consumesSchema: fromJson(r.consumes_schema, w),
    updatedAt: r.updated_at,
  };
}
