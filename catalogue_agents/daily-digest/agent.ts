/**
 * Daily digest: collect events all day (kept in agent.state, so a restart loses nothing), then at
 * `at` (local time or UTC) send one digest — LLM-written or a plain list per topic — on MQTT and
 * optionally to a webhook, and start a new day.
 */

interface DigestConfig {
  topics: string[];
  at: string;
  timezone: 'local' | 'UTC';
  use_llm: boolean;
  instructions: string;
  title: string;
  send_when_empty: boolean;
  max_events: number;
  publish_topic: string;
  url?: string;
  format: 'generic' | 'discord' | 'slack' | 'ntfy';
}

interface DigestEvent {
  t: number;
  topic: string;
  text: string;
}

const MAX_TEXT = 300;
const MAX_PROMPT_CHARS = 12_000;

function config(agent: Agent): DigestConfig {
  const c = (agent.state.config ?? {}) as Partial<DigestConfig>;
  return {
    topics: c.topics ?? [],
    at: c.at ?? '08:00',
    timezone: c.timezone ?? 'local',
    use_llm: c.use_llm ?? true,
    instructions: c.instructions ?? 'Write a short daily digest of these home events.',
    title: c.title ?? 'Daily digest',
    send_when_empty: c.send_when_empty ?? false,
    max_events: c.max_events ?? 1000,
    publish_topic: c.publish_topic || `digests/${agent.name}`,
    url: agent.env.url ?? c.url,
    format: c.format ?? 'generic',
  };
}

/** The next `at` strictly after `afterMs`. */
export function nextAt(at: string, timezone: 'local' | 'UTC', afterMs: number): number {
  const [h, m, s] = at.split(':').map(Number) as [number, number, number | undefined];
  const d = new Date(afterMs);
  let t: number;
  if (timezone === 'UTC') t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), h, m, s ?? 0);
  else t = new Date(d.getFullYear(), d.getMonth(), d.getDate(), h, m, s ?? 0).getTime();
  for (let i = 1; t <= afterMs && i < 3; i++) {
    t = timezone === 'UTC' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + i, h, m, s ?? 0) : new Date(d.getFullYear(), d.getMonth(), d.getDate() + i, h, m, s ?? 0).getTime();
  }
  return t;
}

function clock(t: number): string {
  const d = new Date(t * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}

function plainDigest(c: DigestConfig, events: DigestEvent[]): string {
  if (!events.length) return `${c.title}: nothing happened.`;
  const byTopic = new Map<string, DigestEvent[]>();
  for (const e of events) byTopic.set(e.topic, [...(byTopic.get(e.topic) ?? []), e]);
  const lines = [...byTopic.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .slice(0, 20)
    .map(([topic, list]) => `• ${topic} (${list.length}): last at ${clock(list[list.length - 1]!.t)} — ${list[list.length - 1]!.text}`);
  return `${c.title}: ${events.length} event${events.length === 1 ? '' : 's'} on ${byTopic.size} topic${byTopic.size === 1 ? '' : 's'}\n${lines.join('\n')}`;
}

async function compose(agent: Agent, c: DigestConfig, events: DigestEvent[]): Promise<{ digest: string; llm: boolean }> {
  const plain = plainDigest(c, events);
  if (!c.use_llm || !events.length) return { digest: plain, llm: false };
  let listing = events.map((e) => `[${clock(e.t)}] ${e.topic}: ${e.text}`).join('\n');
  if (listing.length > MAX_PROMPT_CHARS) listing = `${listing.slice(-MAX_PROMPT_CHARS)}\n(older events left out)`;
  try {
    const text = await agent.llm.chat(`${c.instructions}\n\nEvents of the day (${events.length}, oldest first):\n${listing}`, {
      system: 'You write short, friendly daily digests of a smart home for its owner. Use only the events given.',
      maxTokens: 700,
      temperature: 0.3,
    });
    return { digest: `${c.title}\n${text.trim()}`, llm: true };
  } catch (e) {
    agent.log(`the LLM could not write the digest, sending the plain one: ${(e as Error).message}`, 'warning');
    return { digest: plain, llm: false };
  }
}

async function post(agent: Agent, c: DigestConfig, message: Record<string, unknown>): Promise<void> {
  if (!c.url) return;
  const text = String(message.digest);
  let req: { headers: Record<string, string>; body: string | Record<string, unknown> };
  if (c.format === 'discord') req = { headers: {}, body: { content: text.slice(0, 2000) } };
  else if (c.format === 'slack') req = { headers: {}, body: { text } };
  else if (c.format === 'ntfy') req = { headers: { 'content-type': 'text/plain; charset=utf-8', Title: c.title }, body: text };
  else req = { headers: {}, body: message };
  try {
    const res = await agent.fetch(c.url, { method: 'POST', headers: req.headers, body: req.body, timeoutSeconds: 20 });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  } catch (e) {
    agent.log(`posting the digest failed: ${(e as Error).message}`, 'warning');
  }
}

async function send(agent: Agent, c: DigestConfig, preview: boolean): Promise<Record<string, unknown> | null> {
  const events = (agent.state.events ?? []) as DigestEvent[];
  if (!events.length && !c.send_when_empty && !preview) return null;
  const { digest, llm } = await compose(agent, c, events);
  const topics: Record<string, number> = {};
  for (const e of events) topics[e.topic] = (topics[e.topic] ?? 0) + 1;
  const message = { title: c.title, digest, count: events.length, topics, from: events[0]?.t ?? null, to: events[events.length - 1]?.t ?? null, llm, timestamp: Date.now() / 1000 };
  if (preview) return message;
  agent.state.events = ((agent.state.events ?? []) as DigestEvent[]).slice(events.length);
  agent.state.last_digest = message;
  agent.publish(c.publish_topic, message);
  await post(agent, c, message);
  return message;
}

export async function setup(agent: Agent): Promise<void> {
  const c = config(agent);
  if (!c.topics.length) throw new Error('config needs at least one topic in "topics"');
  if (!/^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/.test(c.at)) throw new Error(`"at" must be HH:MM or HH:MM:SS, not "${c.at}"`);
  agent.state.events ??= [];
  if (agent.state.at !== c.at || agent.state.timezone !== c.timezone || typeof agent.state.next_at !== 'number') {
    agent.state.next_at = nextAt(c.at, c.timezone, Date.now());
  }
  agent.state.at = c.at;
  agent.state.timezone = c.timezone;
  for (const pattern of c.topics) {
    agent.subscribe(pattern, (payload, topic) => {
      if (topic === c.publish_topic) return;
      let text = typeof payload === 'string' ? payload : typeof payload?.message === 'string' ? payload.message : JSON.stringify(payload);
      if (text.length > MAX_TEXT) text = `${text.slice(0, MAX_TEXT)}…`;
      const events = agent.state.events as DigestEvent[];
      events.push({ t: Date.now() / 1000, topic, text });
      if (events.length > c.max_events) events.splice(0, events.length - c.max_events);
    });
  }
}

export async function process(agent: Agent): Promise<void> {
  const c = config(agent);
  if (Date.now() < agent.state.next_at) return;
  // Schedule the next one first: a failing send must not repeat every tick.
  agent.state.next_at = nextAt(c.at, c.timezone, Date.now());
  await send(agent, c, false);
}

export async function handleTask(agent: Agent, payload: unknown): Promise<unknown> {
  const p = (payload ?? {}) as { action?: string };
  const c = config(agent);
  if (p.action === 'digest') return (await send(agent, c, false)) ?? { digest: null, count: 0, reason: 'no events today' };
  if (p.action === 'preview') return send(agent, c, true);
  return { count: (agent.state.events ?? []).length, next_at: agent.state.next_at / 1000, at: c.at, timezone: c.timezone, last_digest: agent.state.last_digest ?? null };
}
