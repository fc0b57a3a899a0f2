/**
 * Home Assistant state change → notification. Listens on the state bridge's topics (both the flat
 * topic and per-entity topics: `homeassistant/state_changes/#` covers both), matches entities and
 * states, optionally waits `for_seconds` (cancelled if the state moves on), then notifies.
 */

interface RuleConfig {
  entities: string[];
  to_state?: string;
  from_state?: string;
  attribute?: string;
  for_seconds: number;
  cooldown_seconds: number;
  message: string;
  url?: string;
  format: 'generic' | 'discord' | 'slack' | 'ntfy';
  title?: string;
  publish_topic?: string;
  alert: boolean;
  severity: 'warning' | 'critical';
}

interface HaState {
  entity_id?: string;
  state?: string;
  attributes?: Record<string, unknown>;
  last_changed?: string;
}

interface StateChange {
  entity_id?: string;
  domain?: string;
  new_state?: HaState | null;
  old_state?: HaState | null;
}

function config(agent: Agent): RuleConfig {
  const c = (agent.state.config ?? {}) as Partial<RuleConfig>;
  return {
    entities: c.entities ?? [],
    to_state: c.to_state || undefined,
    from_state: c.from_state || undefined,
    attribute: c.attribute || undefined,
    for_seconds: c.for_seconds ?? 0,
    cooldown_seconds: c.cooldown_seconds ?? 0,
    message: c.message ?? '{friendly_name} is now {state}',
    url: agent.env.url ?? c.url,
    format: c.format ?? 'generic',
    title: c.title,
    publish_topic: c.publish_topic,
    alert: c.alert ?? false,
    severity: c.severity ?? 'warning',
  };
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
}

function valueOf(s: HaState | null | undefined, attribute: string | undefined): string | undefined {
  if (!s) return undefined;
  const v = attribute ? s.attributes?.[attribute] : s.state;
  return v === undefined || v === null ? undefined : String(v);
}

function render(template: string, change: StateChange, attribute: string | undefined): string {
  const vars: Record<string, unknown> = {
    entity_id: change.entity_id,
    domain: change.domain ?? change.entity_id?.split('.')[0],
    state: valueOf(change.new_state, attribute),
    old_state: valueOf(change.old_state, attribute) ?? 'unknown',
    friendly_name: change.new_state?.attributes?.friendly_name ?? change.entity_id,
  };
  return template.replace(/\{([A-Za-z0-9_.-]+)\}/g, (all, path: string) => {
    let v: unknown = path in vars ? vars[path] : undefined;
    if (v === undefined) {
      let cur: unknown = path.startsWith('attributes.') ? change.new_state : change;
      for (const part of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
      v = cur;
    }
    return v === undefined || v === null ? all : typeof v === 'string' ? v : JSON.stringify(v);
  });
}

function webhookBody(c: RuleConfig, message: string, change: StateChange): { headers: Record<string, string>; body: string | Record<string, unknown> } {
  switch (c.format) {
    case 'discord':
      return { headers: {}, body: { content: message.slice(0, 2000), ...(c.title ? { username: c.title.slice(0, 80) } : {}) } };
    case 'slack':
      return { headers: {}, body: { text: c.title ? `*${c.title}*\n${message}` : message } };
    case 'ntfy':
      return { headers: { 'content-type': 'text/plain; charset=utf-8', ...(c.title ? { Title: c.title } : {}) }, body: message };
    default:
      return { headers: {}, body: { message, title: c.title ?? null, entity_id: change.entity_id ?? null, state: valueOf(change.new_state, c.attribute) ?? null, old_state: valueOf(change.old_state, c.attribute) ?? null, timestamp: Date.now() / 1000 } };
  }
}

async function fire(agent: Agent, c: RuleConfig, change: StateChange): Promise<void> {
  const entity = change.entity_id ?? '?';
  const now = Date.now() / 1000;
  const lastFired = (agent.state.last_fired ??= {}) as Record<string, number>;
  if (c.cooldown_seconds > 0 && now - (lastFired[entity] ?? 0) < c.cooldown_seconds) return;
  lastFired[entity] = now;
  agent.state.fired = (agent.state.fired ?? 0) + 1;
  const message = render(c.message, change, c.attribute);
  agent.log(`rule fired: ${message}`);
  if (c.alert) agent.alert(message, c.severity);
  if (c.publish_topic) {
    agent.publish(c.publish_topic, {
      entity_id: entity,
      state: valueOf(change.new_state, c.attribute) ?? null,
      old_state: valueOf(change.old_state, c.attribute) ?? null,
      friendly_name: change.new_state?.attributes?.friendly_name ?? entity,
      message,
      timestamp: now,
    });
  }
  if (c.url) {
    const { headers, body } = webhookBody(c, message, change);
    try {
      const res = await agent.fetch(c.url, { method: 'POST', headers, body, timeoutSeconds: 15 });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    } catch (e) {
      agent.state.failed = (agent.state.failed ?? 0) + 1;
      agent.log(`webhook failed: ${(e as Error).message}`, 'warning');
    }
  }
}

const timers: Record<string, number> = {};
const seen: Record<string, string> = {};

export async function setup(agent: Agent): Promise<void> {
  const c = config(agent);
  if (!c.entities.length) throw new Error('config needs at least one entity in "entities"');
  if (!c.url && !c.publish_topic && !c.alert) agent.log('no url, publish_topic or alert configured: the rule will only log', 'warning');
  const patterns = c.entities.map(globToRegExp);
  agent.subscribe('homeassistant/state_changes/#', (payload: StateChange) => {
    const entity = payload?.entity_id;
    if (typeof entity !== 'string' || !patterns.some((p) => p.test(entity))) return;
    // The flat and the per-entity topic may both carry the same change: handle it once.
    const key = `${valueOf(payload.new_state, undefined)}|${payload.new_state?.last_changed ?? ''}|${valueOf(payload.new_state, c.attribute)}`;
    if (payload.new_state?.last_changed && seen[entity] === key) return;
    seen[entity] = key;
    const next = valueOf(payload.new_state, c.attribute);
    const prev = valueOf(payload.old_state, c.attribute);
    const matches = next !== undefined && next !== prev && (c.to_state === undefined || next === c.to_state) && (c.from_state === undefined || prev === c.from_state);
    if (timers[entity] !== undefined) {
      clearTimeout(timers[entity]);
      delete timers[entity];
    }
    if (!matches) return;
    if (c.for_seconds > 0) {
      timers[entity] = setTimeout(() => {
        delete timers[entity];
        void fire(agent, c, payload);
      }, c.for_seconds * 1000);
    } else void fire(agent, c, payload);
  });
}

export async function handleTask(agent: Agent, payload: unknown): Promise<unknown> {
  const p = (payload ?? {}) as { action?: string };
  if (p.action && p.action !== 'status') throw new Error('tasks: {"action": "status"}');
  return { fired: agent.state.fired ?? 0, failed: agent.state.failed ?? 0, pending: Object.keys(timers), entities: config(agent).entities };
}
