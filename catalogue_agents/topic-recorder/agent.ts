/**
 * MQTT topic recorder → the hub's SQLite time series. Samples are buffered in memory and written
 * in one batch (`agent.sendTo('timeseries', {action: 'append', samples})`, allowed by the
 * `timeseries` capability) every `flush_seconds`, when the buffer grows, and at cleanup.
 */

interface RecorderConfig {
  topics: string[];
  value_path: string;
  series: string;
  map_states: boolean;
  keep_attributes: boolean;
  flush_seconds: number;
  retention_days: number;
}

interface Sample {
  series: string;
  value: number;
  ts: number;
  attrs?: Record<string, unknown> | null;
}

const ON = ['on', 'open', 'true', 'home', 'detected', 'wet', 'unlocked', 'playing'];
const OFF = ['off', 'closed', 'false', 'not_home', 'clear', 'dry', 'locked', 'idle', 'paused', 'standby'];
const BATCH = 500;

let buffer: Sample[] = [];
let lastFlush = Date.now();
let flushing: Promise<void> | null = null;

function config(agent: Agent): RecorderConfig {
  const c = (agent.state.config ?? {}) as Partial<RecorderConfig>;
  return {
    topics: c.topics ?? [],
    value_path: c.value_path ?? '',
    series: c.series ?? '{topic}',
    map_states: c.map_states ?? true,
    keep_attributes: c.keep_attributes ?? false,
    flush_seconds: c.flush_seconds ?? 5,
    retention_days: c.retention_days ?? 0,
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

function toNumber(v: unknown, mapStates: boolean): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t !== '' && Number.isFinite(Number(t))) return Number(t);
    if (mapStates) {
      const lower = t.toLowerCase();
      if (ON.includes(lower)) return 1;
      if (OFF.includes(lower)) return 0;
    }
  }
  return null;
}

export function valueOf(payload: unknown, path: string, mapStates: boolean): number | null {
  if (path) return toNumber(pick(payload, path), mapStates);
  const direct = toNumber(payload, mapStates);
  if (direct !== null) return direct;
  for (const p of ['value', 'new_state.state', 'state']) {
    const v = toNumber(pick(payload, p), mapStates);
    if (v !== null) return v;
  }
  return null;
}

function seriesName(template: string, payload: unknown, topic: string): string {
  return template.replace(/\{([A-Za-z0-9_.-]+)\}/g, (all, path: string) => {
    if (path === 'topic') return topic;
    const v = pick(payload, path);
    return v === undefined || v === null || typeof v === 'object' ? all : String(v);
  });
}

async function flush(agent: Agent): Promise<void> {
  if (flushing) return flushing;
  flushing = (async () => {
    while (buffer.length) {
      const batch = buffer.slice(0, BATCH);
      try {
        await agent.sendTo('timeseries', { action: 'append', samples: batch }, 30);
        buffer = buffer.slice(batch.length);
        agent.state.recorded = (agent.state.recorded ?? 0) + batch.length;
      } catch (e) {
        agent.state.last_error = (e as Error).message;
        agent.log(`could not write ${batch.length} sample(s): ${(e as Error).message}`, 'warning');
        // Keep what was not written, bounded, and try again at the next flush.
        if (buffer.length > 20_000) buffer = buffer.slice(buffer.length - 20_000);
        break;
      }
    }
    lastFlush = Date.now();
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}

export async function setup(agent: Agent): Promise<void> {
  const c = config(agent);
  if (!c.topics.length) throw new Error('config needs at least one topic in "topics"');
  agent.state.series ??= [];
  for (const pattern of c.topics) {
    agent.subscribe(pattern, (payload, topic) => {
      const value = valueOf(payload, c.value_path, c.map_states);
      if (value === null) {
        agent.state.skipped = (agent.state.skipped ?? 0) + 1;
        return;
      }
      const series = seriesName(c.series, payload, topic);
      const sample: Sample = { series, value, ts: Date.now() / 1000 };
      if (c.keep_attributes && payload && typeof payload === 'object') sample.attrs = payload as Record<string, unknown>;
      buffer.push(sample);
      const known = agent.state.series as string[];
      if (!known.includes(series) && known.length < 1_000) known.push(series);
      if (buffer.length >= BATCH) void flush(agent);
    });
  }
}

export async function process(agent: Agent): Promise<void> {
  const c = config(agent);
  if (buffer.length && Date.now() - lastFlush >= c.flush_seconds * 1000) await flush(agent);
  const hour = Math.floor(Date.now() / 3_600_000);
  if (c.retention_days > 0 && agent.state.pruned_hour !== hour) {
    agent.state.pruned_hour = hour;
    const before = Date.now() / 1000 - c.retention_days * 86_400;
    for (const series of agent.state.series as string[]) await agent.sendTo('timeseries', { action: 'prune', before, series }, 30);
  }
}

export async function handleTask(agent: Agent, payload: unknown): Promise<unknown> {
  const p = (payload ?? {}) as { action?: string; series?: string; from?: number; to?: number; limit?: number };
  switch (p.action) {
    case 'flush':
      await flush(agent);
      return { recorded: agent.state.recorded ?? 0, buffered: buffer.length };
    case 'query':
      if (!p.series) throw new Error('query needs "series"');
      return agent.sendTo('timeseries', { action: 'query', series: p.series, from: p.from, to: p.to, limit: p.limit ?? 1000 }, 30);
    default:
      return { recorded: agent.state.recorded ?? 0, buffered: buffer.length, skipped: agent.state.skipped ?? 0, series: agent.state.series ?? [], last_error: agent.state.last_error ?? null };
  }
}

export async function cleanup(agent: Agent): Promise<void> {
  await flush(agent);
}
