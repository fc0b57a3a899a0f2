/**
 * Threshold alert with hysteresis: ok → high when the value is above `above` for `samples`
 * readings in a row; high → ok when it is at or below `above - hysteresis`. Likewise for `below`.
 */

type Status = 'ok' | 'high' | 'low';

interface ThresholdConfig {
  topic: string;
  value_path: string;
  entity_id?: string;
  above?: number;
  below?: number;
  hysteresis: number;
  samples: number;
  label: string;
  severity: 'warning' | 'critical';
  alert: boolean;
  publish_topic?: string;
}

function config(agent: Agent): ThresholdConfig {
  const c = (agent.state.config ?? {}) as Partial<ThresholdConfig>;
  if (!c.topic) throw new Error('config needs "topic"');
  return {
    topic: c.topic,
    value_path: c.value_path ?? '',
    entity_id: c.entity_id,
    above: c.above,
    below: c.below,
    hysteresis: c.hysteresis ?? 0,
    samples: c.samples ?? 1,
    label: c.label ?? c.topic,
    severity: c.severity ?? 'warning',
    alert: c.alert ?? true,
    publish_topic: c.publish_topic,
  };
}

function pick(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function valueOf(payload: unknown, path: string): number | null {
  if (path) return toNumber(pick(payload, path));
  const direct = toNumber(payload);
  if (direct !== null) return direct;
  for (const p of ['value', 'new_state.state', 'state']) {
    const v = toNumber(pick(payload, p));
    if (v !== null) return v;
  }
  return null;
}

/** The status after one reading (pure: state in, state out). */
export function step(c: Pick<ThresholdConfig, 'above' | 'below' | 'hysteresis' | 'samples'>, s: { status: Status; streak: number }, value: number): { status: Status; streak: number } {
  if (s.status === 'high') return c.above !== undefined && value <= c.above - c.hysteresis ? { status: 'ok', streak: 0 } : s;
  if (s.status === 'low') return c.below !== undefined && value >= c.below + c.hysteresis ? { status: 'ok', streak: 0 } : s;
  const past: Status | null = c.above !== undefined && value > c.above ? 'high' : c.below !== undefined && value < c.below ? 'low' : null;
  if (!past) return { status: 'ok', streak: 0 };
  const streak = s.streak + 1;
  return streak >= c.samples ? { status: past, streak: 0 } : { status: 'ok', streak };
}

function reading(agent: Agent, value: number): void {
  const c = config(agent);
  const before: Status = agent.state.status ?? 'ok';
  const next = step(c, { status: before, streak: agent.state.streak ?? 0 }, value);
  agent.state.status = next.status;
  agent.state.streak = next.streak;
  agent.state.last_value = value;
  agent.state.last_at = Date.now() / 1000;
  if (next.status === before) return;
  const threshold = next.status === 'high' || before === 'high' ? c.above : c.below;
  const message =
    next.status === 'ok'
      ? `${c.label} is back to normal: ${value} (limit ${threshold})`
      : `${c.label} is ${next.status === 'high' ? 'above' : 'below'} ${threshold}: ${value}`;
  if (next.status !== 'ok' && c.alert) agent.alert(message, c.severity);
  agent.log(message, next.status === 'ok' ? 'info' : 'warning');
  if (c.publish_topic) {
    agent.publish(c.publish_topic, { status: next.status, previous_status: before, value, threshold: threshold ?? null, label: c.label, message, timestamp: Date.now() / 1000 });
  }
}

export async function setup(agent: Agent): Promise<void> {
  const c = config(agent);
  if (c.above === undefined && c.below === undefined) throw new Error('config needs "above", "below" or both');
  if (c.above !== undefined && c.below !== undefined && c.below >= c.above) throw new Error('"below" must be lower than "above"');
  agent.state.status ??= 'ok';
  agent.subscribe(c.topic, (payload) => {
    if (c.entity_id && pick(payload, 'entity_id') !== undefined && pick(payload, 'entity_id') !== c.entity_id) return;
    const v = valueOf(payload, c.value_path);
    if (v !== null) reading(agent, v);
  });
}

export async function handleTask(agent: Agent, payload: unknown): Promise<unknown> {
  const p = (payload ?? {}) as { action?: string; value?: unknown };
  if (p.value !== undefined) {
    const v = toNumber(p.value);
    if (v === null) throw new Error('"value" must be a number');
    reading(agent, v);
  }
  return { status: agent.state.status ?? 'ok', last_value: agent.state.last_value ?? null, last_at: agent.state.last_at ?? null, streak: agent.state.streak ?? 0 };
}
