/**
 * Upgrade (issue 12: "agents that exist at upgrade keep their grants, shown for review"): once,
 * right after migration 004, every agent in the spawn registry is given what it could do before
 * grants existed, flagged `review`:
 * - its capabilities and secret names as stored, plus `home_assistant` when its code mentions
 *   Home Assistant's topics (reading them needed nothing before);
 * - publish, subscribe and retained on `#` — which still excludes everything topic-rules.ts never
 *   grants (io/…, nodes/…, other agents…): those were the attacks, not features;
 * - `send_to: ['*']`: any code agent (core and Home Assistant actors need a person's grant);
 * - an ha_actuator its `mqtt_topics`; an llm agent `llm`.
 * Runs in one transaction with the marker's removal, so it happens exactly once.
 */
import type { Database } from 'better-sqlite3';
import { grantPartsSchema, HA_ACTUATOR_CAPABILITY, HOME_ASSISTANT_CAPABILITY, LLM_CAPABILITY, type GrantParts } from '../../shared/grants.js';

/** `send_to` entry meaning "any code agent" (never a core or Home Assistant actor). */
export const ANY_CODE_AGENT = '*';

interface RegistryRow {
  name: string;
  kind: string;
  code: string | null;
  config: string;
}

/** Gives existing agents their old permissions when migration 004 asked for it; returns their names. */
export function upgradeExistingAgents(db: Database, now: number): string[] {
  const pending = db.prepare("SELECT value FROM grant_meta WHERE key = 'upgrade_pending'").get() as { value: string } | undefined;
  if (!pending) return [];
  return db.transaction(() => {
    const done: string[] = [];
    const rows = db.prepare('SELECT r.name, r.kind, r.code, r.config FROM spawn_registry r LEFT JOIN agent_grants g ON g.agent = r.name WHERE g.agent IS NULL').all() as RegistryRow[];
    const insertGrant = db.prepare("INSERT INTO agent_grants (agent, parts, origin, source, review, revision, created_at, updated_at) VALUES (?, ?, 'upgrade', ?, 1, 1, ?, ?)");
    const insertDecision = db.prepare("INSERT INTO grant_decisions (agent, request_id, decision, parts, decided_by, note, at) VALUES (?, NULL, 'granted', ?, 'upgrade', ?, ?)");
    for (const row of rows) {
      const config = parseObject(row.config);
      const parts = legacyParts(row, config);
      const json = JSON.stringify(parts);
      insertGrant.run(row.name, json, typeof config.source === 'string' ? config.source : '', now, now);
      insertDecision.run(row.name, json, 'existed before grants: keeps what it could do, for review', now);
      done.push(row.name);
    }
    db.prepare("DELETE FROM grant_meta WHERE key = 'upgrade_pending'").run();
    return done;
  })();
}

/** What an agent of the spawn registry could do before grants. */
export function legacyParts(row: { kind: string; code: string | null }, config: Record<string, unknown>): GrantParts {
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0) : []);
  const capabilities = strings(config.capabilities);
  if (row.code?.includes('homeassistant') && !capabilities.includes(HOME_ASSISTANT_CAPABILITY)) capabilities.push(HOME_ASSISTANT_CAPABILITY);
  if (row.kind === 'llm' && !capabilities.includes(LLM_CAPABILITY)) capabilities.push(LLM_CAPABILITY);
  const limits: Record<string, unknown> = {};
  for (const k of ['memory_mb', 'call_timeout_ms'] as const) if (typeof config[k] === 'number' && config[k] > 0) limits[k] = Math.floor(config[k]);
  if (config.isolation === 'shared' || config.isolation === 'dedicated') limits.isolation = config.isolation;
  if (row.kind === 'ha_actuator') {
    const spec = parseObject(config.spec);
    return grantPartsSchema.parse({ capabilities: [HA_ACTUATOR_CAPABILITY], subscribes: strings(spec.mqtt_topics), limits });
  }
  return grantPartsSchema.parse({
    capabilities,
    publishes: ['#', ...strings(config.publishes).filter((p) => p !== '#')],
    subscribes: ['#'],
    retained: ['#'],
    send_to: [ANY_CODE_AGENT],
    env_names: strings(config.env_names),
    limits,
  });
}

function parseObject(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') {
    try {
      return parseObject(JSON.parse(v));
    } catch {
      return {};
    }
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
