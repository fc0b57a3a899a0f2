/**
 * Webhook notifier: MQTT messages (or tasks) → Discord / Slack / ntfy / generic JSON webhook.
 * Config: agent.state.config; the URL is a secret (agent.env.url).
 */

interface NotifierConfig {
  url?: string;
  format: 'generic' | 'discord' | 'slack' | 'ntfy';
  topics: string[];
  template: string;
  title?: string;
  priority?: number;
  tags: string[];
  min_interval_seconds: number;
}

function config(agent: Agent): NotifierConfig {
  const c = (agent.state.config ?? {}) as Partial<NotifierConfig>;
  return {
    url: agent.env.url ?? c.url,
    format: c.format ?? 'generic',
    topics: c.topics ?? [],
    template: c.template ?? '{message}',
    title: c.title,
    priority: c.priority,
    tags: c.tags ?? [],
    min_interval_seconds: c.min_interval_seconds ?? 0,
  };
}

/** `a.b.c` inside `obj`. */
function pick(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function asText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The payload's own message, when it has one. */
function messageOf(payload: unknown): string {
  if (payload && typeof payload === 'object') {
    for (const k of ['message', 'content', 'text', 'summary']) {
      const v = (payload as Record<string, unknown>)[k];
      if (typeof v === 'string' && v) return v;
    }
  }
  return asText(payload);
}

export function render(template: string, payload: unknown, topic: string): string {
  return template.replace(/\{([A-Za-z0-9_.-]+)\}/g, (all, path: string) => {
    if (path === 'topic') return topic;
    if (path === 'payload') return asText(payload);
    if (path === 'message') return messageOf(payload);
    const v = pick(payload, path);
    return v === undefined ? all : asText(v);
  });
}

function request(c: NotifierConfig, message: string, title: string | undefined, extra: { topic?: string; payload?: unknown }): { headers: Record<string, string>; body: string | Record<string, unknown> } {
  switch (c.format) {
    case 'discord':
      // Discord refuses content over 2000 characters.
      return { headers: {}, body: { content: message.slice(0, 2000), ...(title ? { username: title.slice(0, 80) } : {}) } };
    case 'slack':
      return { headers: {}, body: { text: title ? `*${title}*\n${message}` : message } };
    case 'ntfy': {
      const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
      if (title) headers.Title = title;
      if (c.priority) headers.Priority = String(c.priority);
      if (c.tags.length) headers.Tags = c.tags.join(',');
      return { headers, body: message };
    }
    default:
      return { headers: {}, body: { message, title: title ?? null, topic: extra.topic ?? null, payload: extra.payload ?? null, timestamp: Date.now() / 1000 } };
  }
}

async function post(agent: Agent, message: string, title: string | undefined, extra: { topic?: string; payload?: unknown } = {}): Promise<{ ok: boolean; status: number; error?: string }> {
  const c = config(agent);
  if (!c.url) throw new Error('no webhook URL configured');
  const { headers, body } = request(c, message, title ?? c.title, extra);
  const stats = (agent.state.stats ??= { sent: 0, failed: 0, last_error: null, last_sent_at: null });
  let lastError = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const res = await agent.fetch(c.url, { method: 'POST', headers, body, timeoutSeconds: 15 });
      if (res.ok) {
        stats.sent++;
        stats.last_sent_at = Date.now() / 1000;
        return { ok: true, status: res.status };
      }
      lastError = `HTTP ${res.status} ${res.statusText}`;
      // Client errors other than rate limiting will not get better by retrying.
      if (res.status < 500 && res.status !== 429) break;
      const retryAfter = Number(res.headers['retry-after']);
      await agent.sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 10) : 1);
    } catch (e) {
      lastError = (e as Error).message;
      await agent.sleep(1);
    }
  }
  stats.failed++;
  stats.last_error = lastError;
  agent.log(`webhook failed: ${lastError}`, 'warning');
  return { ok: false, status: 0, error: lastError };
}

export async function setup(agent: Agent): Promise<void> {
  const c = config(agent);
  if (!c.url) agent.log('no webhook URL configured: set "url"', 'warning');
  const last: Record<string, number> = {};
  for (const pattern of c.topics) {
    agent.subscribe(pattern, async (payload, topic) => {
      const now = Date.now() / 1000;
      if (c.min_interval_seconds > 0 && now - (last[topic] ?? 0) < c.min_interval_seconds) return;
      last[topic] = now;
      await post(agent, render(c.template, payload, topic), undefined, { topic, payload });
    });
  }
}

export async function handleTask(agent: Agent, payload: unknown): Promise<unknown> {
  const p = (payload ?? {}) as Record<string, unknown>;
  if (p.action === 'status') return { ...(agent.state.stats ?? { sent: 0, failed: 0 }), format: config(agent).format, topics: config(agent).topics };
  const message = typeof payload === 'string' ? payload : typeof p.message === 'string' ? p.message : typeof p.content === 'string' ? p.content : null;
  if (message === null) throw new Error('send {"message": "…"} (optionally "title"), or {"action": "status"}');
  return post(agent, message, typeof p.title === 'string' ? p.title : undefined, { payload });
}
