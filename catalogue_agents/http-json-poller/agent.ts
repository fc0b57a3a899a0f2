/**
 * HTTP JSON poller → MQTT: GET a JSON API every `interval_seconds`, pick fields, publish on change.
 * Includes _lib/poller.ts (config, fetch, the process tick and the status task shared with rss-poller).
 */

interface PollerConfig {
  url: string;
  topic: string;
  interval_seconds: number;
  fields: Record<string, string>;
  headers: Record<string, string>;
  only_on_change: boolean;
  retain: boolean;
}

function config(agent: Agent): PollerConfig {
  const c = pollerConfig<PollerConfig>(agent, { interval_seconds: 60, fields: {}, headers: {}, only_on_change: true, retain: false });
  if (agent.env.headers) c.headers = JSON.parse(agent.env.headers) as Record<string, string>;
  return c;
}

function pick(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.').filter(Boolean)) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) && /^\d+$/.test(part) ? cur[Number(part)] : (cur as Record<string, unknown>)[part];
  }
  return cur;
}

async function poll(agent: Agent): Promise<{ published: boolean; value: unknown }> {
  const c = config(agent);
  const res = await pollerFetch(agent, c.url, { accept: 'application/json', ...c.headers });
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new Error('the response is not JSON');
  }
  const names = Object.keys(c.fields);
  const value = names.length ? Object.fromEntries(names.map((n) => [n, pick(body, c.fields[n]!) ?? null])) : body;
  const fingerprint = JSON.stringify(value);
  if (c.only_on_change && agent.state.last_fingerprint === fingerprint) return { published: false, value };
  agent.state.last_fingerprint = fingerprint;
  const message = value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>), source: c.url, timestamp: Date.now() / 1000 } : { value, source: c.url, timestamp: Date.now() / 1000 };
  agent.publish(c.topic, message, { retain: c.retain });
  agent.state.published = (agent.state.published ?? 0) + 1;
  return { published: true, value };
}

export async function setup(agent: Agent): Promise<void> {
  agent.interval = config(agent).interval_seconds;
}

export async function process(agent: Agent): Promise<void> {
  await pollerTick(agent, poll);
}

export async function handleTask(agent: Agent, payload: unknown): Promise<unknown> {
  return pollerTask(agent, payload, poll, {});
}
