/**
 * A small client for the hub's REST API, as the MCP server uses it. Every failure becomes a
 * HubError whose message a person (or an LLM) can act on: the hub is not running, the API key is
 * wrong, this hub does not serve that route, or the hub's own `{error, detail}`.
 */
export class HubError extends Error {
  constructor(
    message: string,
    /** 0 when the hub could not be reached. */
    readonly status: number,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export interface HubClientOptions {
  /** e.g. http://127.0.0.1:8000 (the REST interface) or http://127.0.0.1:8888/api (the dashboard's API). */
  url: string;
  apiKey?: string;
  /** Per request; chat and tasks can take minutes with a slow LLM. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

type Json = unknown;

export class HubClient {
  readonly url: string;
  private readonly apiKey?: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: HubClientOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    this.apiKey = opts.apiKey || undefined;
    this.timeoutMs = opts.timeoutMs ?? 300_000;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  listAgents(): Promise<Json> {
    return this.request('GET', '/agents');
  }

  chat(message: string, agentName?: string): Promise<Json> {
    return this.request('POST', '/chat', agentName ? { message, agent_name: agentName } : { message });
  }

  /** A TASK to an agent, answered with its RESULT; uses the original's /actors/{id}/message on hubs without the tasks route. */
  async sendTask(agent: string, payload: unknown, timeoutMs?: number): Promise<Json> {
    try {
      return await this.request('POST', `/agents/${seg(agent)}/tasks`, { payload, ...(timeoutMs ? { timeout_ms: timeoutMs } : {}) });
    } catch (e) {
      if (!(e instanceof HubError) || !isMissingRoute(e)) throw e;
      return this.request('POST', `/actors/${seg(agent)}/message`, { content: payload });
    }
  }

  createAgent(body: { name: string; code: string; language?: string; description?: string; capabilities?: string[] }): Promise<Json> {
    return this.request('POST', '/agents', body);
  }

  spawnRecipe(recipe: string, body: { name?: string; config?: Record<string, unknown> }): Promise<Json> {
    return this.request('POST', `/catalog/${seg(recipe)}/spawn`, body);
  }

  getCode(name: string, version?: number): Promise<Json> {
    return this.request('GET', `/agents/${seg(name)}/code${version ? `?version=${version}` : ''}`);
  }

  putCode(name: string, code: string, language?: string): Promise<Json> {
    return this.request('PUT', `/agents/${seg(name)}/code`, language ? { code, language } : { code });
  }

  async request(method: string, path: string, body?: unknown): Promise<Json> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey) headers['x-api-key'] = this.apiKey;
    let res: Response;
    try {
      res = await this.fetchImpl(this.url + path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError') throw new HubError(`Wactorz at ${this.url} did not answer ${method} ${path} within ${Math.round(this.timeoutMs / 1000)} s.`, 0);
      throw new HubError(
        `Wactorz is not reachable at ${this.url} (${err.cause?.code ?? err.cause?.message ?? err.message}) — start it with \`npm run wactorz -- --interface rest\`, or point --url at a running hub.`,
        0,
      );
    }
    const text = await res.text();
    let json: Json = text;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (a proxy's error page, /metrics): kept as text.
    }
    if (res.ok) return json;
    throw new HubError(describeFailure(this.url, method, path, res.status, json), res.status, json);
  }
}

/** The hub's 404 for a route it does not serve (its not-found handler), as opposed to "agent x not found". */
export function isMissingRoute(e: HubError): boolean {
  if (e.status === 405) return true;
  if (e.status !== 404) return false;
  const b = e.body as { error?: unknown } | null;
  return !b || typeof b !== 'object' || b.error === 'not found' || b.error === 'Not Found';
}

function describeFailure(url: string, method: string, path: string, status: number, body: Json): string {
  const route = `${method} ${path.split('?')[0]}`;
  if (status === 401) return `Wactorz at ${url} refused the API key — pass --api-key (or set API_KEY) to the hub's API_KEY or dashboard token.`;
  const b = (body && typeof body === 'object' ? body : {}) as { error?: unknown; detail?: unknown };
  if (status === 404 && (b.error === 'not found' || b.error === 'Not Found' || !b.error)) {
    return `This Wactorz hub does not serve ${route} (HTTP 404) — it may be an older version.`;
  }
  const error = typeof b.error === 'string' ? b.error : typeof body === 'string' && body ? body.slice(0, 300) : `HTTP ${status}`;
  const detail = formatDetail(b.detail);
  return `${route} failed (HTTP ${status}): ${error}${detail ? `\n${detail}` : ''}`;
}

/** Validation issues and code diagnostics, one per line; anything else as JSON. */
function formatDetail(detail: unknown): string {
  if (detail === undefined || detail === null || detail === '') return '';
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d) => {
        const x = d as { path?: string; message?: string; line?: number; column?: number; severity?: string };
        if (x && typeof x.message === 'string') {
          if (typeof x.line === 'number') return `- line ${x.line}${typeof x.column === 'number' ? `:${x.column}` : ''}${x.severity ? ` (${x.severity})` : ''}: ${x.message}`;
          return `- ${x.path ? `${x.path}: ` : ''}${x.message}`;
        }
        return `- ${JSON.stringify(d)}`;
      })
      .join('\n');
  }
  const asObj = detail as { diagnostics?: unknown };
  if (asObj && Array.isArray(asObj.diagnostics)) return formatDetail(asObj.diagnostics);
  return JSON.stringify(detail);
}

const seg = (s: string): string => encodeURIComponent(s);
