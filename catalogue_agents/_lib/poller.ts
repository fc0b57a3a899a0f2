/**
 * Shared by the recipes that poll a URL (rss-poller, http-json-poller): a recipe that lists
 * `"includes": ["poller"]` in its manifest gets this file placed before its own code, so the agent
 * still runs one self-contained module (what the editor shows is what runs). Keep it declarations
 * the recipes call: setup/process/handleTask stay in each recipe.
 */
/* eslint-disable @typescript-eslint/no-unused-vars -- used by the recipes this file is included in */

interface PollerBaseConfig {
  url: string;
  topic: string;
  interval_seconds: number;
}

/** The config from agent.state.config: `url` and `topic` are required, `defaults` fill the rest. */
function pollerConfig<C extends PollerBaseConfig>(agent: Agent, defaults: Omit<C, 'url' | 'topic'>): C {
  const c = (agent.state.config ?? {}) as Record<string, unknown>;
  if (!c.url || !c.topic) throw new Error('config needs "url" and "topic"');
  const out: Record<string, unknown> = { ...c };
  for (const [key, value] of Object.entries(defaults)) out[key] = c[key] ?? value;
  return out as unknown as C;
}

/** GET with the given headers (30 s), noting when; a non-2xx answer other than 304 throws. */
async function pollerFetch(agent: Agent, url: string, headers: Record<string, string>): Promise<AgentFetchResponse> {
  agent.state.last_poll_at = Date.now() / 1000;
  const res = await agent.fetch(url, { headers, timeoutSeconds: 30 });
  if (!res.ok && res.status !== 304) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  return res;
}

/** One tick of `process`: polls, and keeps the last error for the status task (logged as a warning). */
async function pollerTick(agent: Agent, poll: (agent: Agent) => Promise<unknown>): Promise<void> {
  try {
    await poll(agent);
    agent.state.last_error = null;
  } catch (e) {
    agent.state.last_error = (e as Error).message;
    agent.log(`poll failed: ${(e as Error).message}`, 'warning');
  }
}

/** The tasks: `{action: "poll"}` polls now; anything else answers the status (plus `extra`). */
async function pollerTask(agent: Agent, payload: unknown, poll: (agent: Agent) => Promise<unknown>, extra: Record<string, unknown>): Promise<unknown> {
  const p = (payload ?? {}) as { action?: string };
  if (p.action === 'poll') return poll(agent);
  return { url: (agent.state.config as { url?: string } | undefined)?.url ?? null, last_poll_at: agent.state.last_poll_at ?? null, last_error: agent.state.last_error ?? null, ...extra, published: agent.state.published ?? 0 };
}
