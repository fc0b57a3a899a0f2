/** LLM summariser of MQTT topics: collect, then every `every_seconds` ask agent.llm for a summary and publish it. */

interface SummariserConfig {
  topics: string[];
  every_seconds: number;
  min_messages: number;
  max_messages: number;
  instructions: string;
  publish_topic: string;
}

interface Collected {
  t: number;
  topic: string;
  text: string;
}

const SYSTEM = 'You summarise MQTT message streams of a home-automation hub for its owner. Be brief and factual; never invent values that are not in the messages.';
const MAX_TEXT = 300;

function config(agent: Agent): SummariserConfig {
  const c = (agent.state.config ?? {}) as Partial<SummariserConfig>;
  return {
    topics: c.topics ?? [],
    every_seconds: c.every_seconds ?? 300,
    min_messages: c.min_messages ?? 1,
    max_messages: c.max_messages ?? 200,
    instructions: c.instructions ?? 'Summarise these messages in at most 3 short bullet points.',
    publish_topic: c.publish_topic || `summaries/${agent.name}`,
  };
}

function clock(t: number): string {
  const d = new Date(t * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

async function summarise(agent: Agent): Promise<Record<string, unknown> | null> {
  const c = config(agent);
  const buffer = (agent.state.buffer ?? []) as Collected[];
  agent.state.last_round_at = Date.now() / 1000;
  if (buffer.length < c.min_messages || buffer.length === 0) return null;
  const lines = buffer.map((m) => `[${clock(m.t)}] ${m.topic}: ${m.text}`).join('\n');
  const summary = (await agent.llm.chat(`${c.instructions}\n\nMessages (oldest first, ${buffer.length} in all):\n${lines}`, { system: SYSTEM, maxTokens: 500, temperature: 0.2 })).trim();
  const counts: Record<string, number> = {};
  for (const m of buffer) counts[m.topic] = (counts[m.topic] ?? 0) + 1;
  const result = { summary, count: buffer.length, topics: counts, from: buffer[0]!.t, to: buffer[buffer.length - 1]!.t, timestamp: Date.now() / 1000 };
  agent.publish(c.publish_topic, result);
  agent.state.last_summary = result;
  // Only what was summarised is dropped: messages that arrived during the LLM call stay for the next round.
  agent.state.buffer = ((agent.state.buffer ?? []) as Collected[]).slice(buffer.length);
  return result;
}

export async function setup(agent: Agent): Promise<void> {
  const c = config(agent);
  if (!c.topics.length) throw new Error('config needs at least one topic in "topics"');
  agent.state.buffer ??= [];
  agent.state.last_round_at ??= Date.now() / 1000;
  for (const pattern of c.topics) {
    agent.subscribe(pattern, (payload, topic) => {
      // Never summarise our own summaries.
      if (topic === c.publish_topic) return;
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const buffer = agent.state.buffer as Collected[];
      buffer.push({ t: Date.now() / 1000, topic, text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text });
      if (buffer.length > c.max_messages) buffer.splice(0, buffer.length - c.max_messages);
    });
  }
}

export async function process(agent: Agent): Promise<void> {
  const c = config(agent);
  if (Date.now() / 1000 - (agent.state.last_round_at ?? 0) < c.every_seconds) return;
  try {
    await summarise(agent);
  } catch (e) {
    agent.log(`summary failed (kept the messages for the next round): ${(e as Error).message}`, 'warning');
  }
}

export async function handleTask(agent: Agent, payload: unknown): Promise<unknown> {
  const p = (payload ?? {}) as { action?: string };
  if (p.action === 'summarise' || p.action === 'summarize') return (await summarise(agent)) ?? { summary: null, count: (agent.state.buffer ?? []).length, reason: 'not enough messages yet' };
  return agent.state.last_summary ?? { summary: null, count: (agent.state.buffer ?? []).length };
}
