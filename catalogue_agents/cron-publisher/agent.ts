/**
 * Cron / timer publisher. A small cron parser (5 fields, or 6 with seconds first; lists, ranges,
 * steps, month and weekday names, 7 = Sunday, Vixie's rule when both day fields are restricted),
 * the @-shortcuts and `@every <n><s|m|h>`. `process` runs every second and publishes when the
 * next fire time has passed; a run missed while the hub was down is not caught up.
 */

interface CronSpec {
  seconds: Set<number>;
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Both day fields restricted: a day matches if EITHER matches (Vixie cron). */
  dayOr: boolean;
  /** `@every`: a fixed period instead of calendar fields. */
  everyMs?: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const SHORTCUTS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseField(text: string, min: number, max: number, names: string[] | null, what: string): Set<number> {
  const out = new Set<number>();
  const value = (s: string): number => {
    const lower = s.toLowerCase();
    const i = names ? names.indexOf(lower.slice(0, 3)) : -1;
    const n = i >= 0 && /^[a-z]+$/.test(lower) ? i + (names === MONTHS ? 1 : 0) : Number(s);
    if (!Number.isInteger(n)) throw new Error(`${what}: "${s}" is not a number${names ? ' or a name' : ''}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`${what}: bad step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = min;
      hi = max;
    } else if (range!.includes('-')) {
      const [a, b] = range!.split('-');
      lo = value(a!);
      hi = value(b!);
    } else {
      lo = value(range!);
      hi = stepText === undefined ? lo : max;
    }
    if (lo < min || hi > max || lo > hi) throw new Error(`${what}: "${part}" is outside ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  // 7 is Sunday too.
  if (what === 'day of week' && out.delete(7)) out.add(0);
  return out;
}

export function parseCron(expression: string): CronSpec {
  let expr = expression.trim().replace(/\s+/g, ' ');
  const every = /^@every (\d+(?:\.\d+)?)\s*(s|m|h)$/i.exec(expr);
  if (every) {
    const ms = Number(every[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[every[2]!.toLowerCase() as 's' | 'm' | 'h'];
    if (!(ms >= 1_000)) throw new Error('@every needs at least 1 second');
    const none = new Set<number>();
    return { seconds: none, minutes: none, hours: none, days: none, months: none, weekdays: none, dayOr: false, everyMs: ms };
  }
  expr = SHORTCUTS[expr.toLowerCase()] ?? expr;
  const fields = expr.split(' ');
  if (fields.length === 5) fields.unshift('0');
  if (fields.length !== 6) throw new Error(`a cron expression has 5 fields (or 6 with seconds); "${expression}" has ${fields.length}`);
  const [s, mi, h, dom, mon, dow] = fields as [string, string, string, string, string, string];
  return {
    seconds: parseField(s, 0, 59, null, 'second'),
    minutes: parseField(mi, 0, 59, null, 'minute'),
    hours: parseField(h, 0, 23, null, 'hour'),
    days: parseField(dom, 1, 31, null, 'day of month'),
    months: parseField(mon, 1, 12, MONTHS, 'month'),
    weekdays: parseField(dow, 0, 7, DAYS, 'day of week'),
    dayOr: !/^[*?]/.test(dom) && !/^[*?]/.test(dow),
  };
}

interface Clock {
  parts(ms: number): { y: number; mo: number; d: number; h: number; mi: number; s: number; wd: number };
  make(y: number, mo: number, d: number, h: number, mi: number, s: number): number;
}

function clock(timezone: string): Clock {
  if (timezone === 'UTC') {
    return {
      parts: (ms) => {
        const t = new Date(ms);
        return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes(), s: t.getUTCSeconds(), wd: t.getUTCDay() };
      },
      make: (y, mo, d, h, mi, s) => Date.UTC(y, mo - 1, d, h, mi, s),
    };
  }
  return {
    parts: (ms) => {
      const t = new Date(ms);
      return { y: t.getFullYear(), mo: t.getMonth() + 1, d: t.getDate(), h: t.getHours(), mi: t.getMinutes(), s: t.getSeconds(), wd: t.getDay() };
    },
    make: (y, mo, d, h, mi, s) => new Date(y, mo - 1, d, h, mi, s).getTime(),
  };
}

/** The first fire time strictly after `afterMs`, or null within the next 5 years. */
export function nextFire(spec: CronSpec, afterMs: number, timezone = 'local'): number | null {
  if (spec.everyMs) return Math.floor(afterMs / spec.everyMs) * spec.everyMs + spec.everyMs;
  const c = clock(timezone);
  const start = Math.floor(afterMs / 1000) * 1000 + 1000;
  const p = c.parts(start);
  const sorted = (set: Set<number>): number[] => [...set].sort((a, b) => a - b);
  const secs = sorted(spec.seconds);
  const mins = sorted(spec.minutes);
  const hours = sorted(spec.hours);
  for (let dayOffset = 0; dayOffset < 366 * 5; dayOffset++) {
    const dayStart = c.parts(c.make(p.y, p.mo, p.d + dayOffset, 12, 0, 0));
    if (!spec.months.has(dayStart.mo)) continue;
    const domOk = spec.days.has(dayStart.d);
    const dowOk = spec.weekdays.has(dayStart.wd);
    if (spec.dayOr ? !(domOk || dowOk) : !(domOk && dowOk)) continue;
    const today = dayOffset === 0 && dayStart.d === p.d;
    for (const h of hours) {
      if (today && h < p.h) continue;
      for (const mi of mins) {
        if (today && h === p.h && mi < p.mi) continue;
        for (const s of secs) {
          const t = c.make(dayStart.y, dayStart.mo, dayStart.d, h, mi, s);
          // Same wall time twice or never (DST): the clock decides; only future times count.
          if (t >= start) {
            const back = c.parts(t);
            if (back.h === h && back.mi === mi) return t;
          }
        }
      }
    }
  }
  return null;
}

interface CronConfig {
  schedule: string;
  topic: string;
  payload: Record<string, unknown>;
  timezone: string;
  retain: boolean;
}

function config(agent: Agent): CronConfig {
  const c = (agent.state.config ?? {}) as Partial<CronConfig>;
  if (!c.schedule || !c.topic) throw new Error('config needs "schedule" and "topic"');
  return { schedule: c.schedule, topic: c.topic, payload: c.payload ?? {}, timezone: c.timezone ?? 'local', retain: c.retain ?? false };
}

function fire(agent: Agent, c: CronConfig, scheduledAt: number): Record<string, unknown> {
  agent.state.count = (agent.state.count ?? 0) + 1;
  const message = { ...c.payload, scheduled_at: scheduledAt / 1000, fired_at: Date.now() / 1000, schedule: c.schedule, count: agent.state.count };
  agent.publish(c.topic, message, { retain: c.retain });
  agent.state.last_fired_at = message.fired_at;
  return message;
}

export async function setup(agent: Agent): Promise<void> {
  const c = config(agent);
  const spec = parseCron(c.schedule); // a bad expression fails setup with the reason
  // A schedule changed by a redeploy starts afresh; otherwise keep the pending fire time.
  if (agent.state.schedule !== c.schedule || agent.state.timezone !== c.timezone || typeof agent.state.next_at !== 'number' || agent.state.next_at < Date.now() - 60_000) {
    agent.state.next_at = nextFire(spec, Date.now(), c.timezone);
  }
  agent.state.schedule = c.schedule;
  agent.state.timezone = c.timezone;
  agent.interval = Math.min(agent.interval || 1, 1);
}

export async function process(agent: Agent): Promise<void> {
  const c = config(agent);
  const next = agent.state.next_at as number | null;
  if (next === null || Date.now() < next) return;
  fire(agent, c, next);
  agent.state.next_at = nextFire(parseCron(c.schedule), Math.max(Date.now(), next), c.timezone);
}

export async function handleTask(agent: Agent, payload: unknown): Promise<unknown> {
  const p = (payload ?? {}) as { action?: string; count?: number; after?: number };
  const c = config(agent);
  const spec = parseCron(c.schedule);
  if (p.action === 'next') {
    const out: { at: number; iso: string }[] = [];
    let t = typeof p.after === 'number' ? p.after * 1000 : Date.now();
    for (let i = 0; i < Math.min(Math.max(p.count ?? 5, 1), 100); i++) {
      const n = nextFire(spec, t, c.timezone);
      if (n === null) break;
      out.push({ at: n / 1000, iso: new Date(n).toISOString() });
      t = n;
    }
    return { schedule: c.schedule, timezone: c.timezone, next: out };
  }
  if (p.action === 'fire') return fire(agent, c, Date.now());
  return { schedule: c.schedule, timezone: c.timezone, next_at: agent.state.next_at === null ? null : agent.state.next_at / 1000, count: agent.state.count ?? 0, last_fired_at: agent.state.last_fired_at ?? null };
}
