/**
 * The hub's REST API under /api/ on the dashboard's origin. Adds the token (Authorization: Bearer
 * and X-API-Key, so both the dashboard token and the original's API_KEY work), validates every
 * response and turns error bodies `{error, detail}` into ApiError.
 */
import type { z } from 'zod';
import type {
  AgentCodeResponse,
  AgentSummary,
  ChatResponse,
  CodeDiagnostic,
  CreateAgentRequest,
  HaEntitiesResponse,
  HaHistoryResponse,
  HaStatusResponse,
  HaToggleResponse,
  HealthResponse,
  NodeInfo,
  PipelineListResponse,
} from '../../../shared/rest.js';
import {
  approvalListSchema,
  grantListSchema,
  refusalListSchema,
  agentGrantSchema,
  approvalOutcomeSchema,
  type AgentGrant,
  type ApprovalList,
  type ApprovalOutcome,
  type Refusal,
} from '../../../shared/approvals.js';
import { nodeListSchema, pipelineListSchema } from './rest-schemas-fleet.js';
import { graphSchema, topicMessagesSchema, type Graph, type TopicMessages } from '../../../shared/graph.js';
import { feedPageSchema, type FeedPage } from '../../../shared/feed.js';
import { haEntitiesSchema, haHistorySchema, haStatusSchema, haToggleSchema } from './rest-schemas-home.js';
import {
  agentCodeSchema,
  agentListSchema,
  codeCheckSchema,
  agentVersionSchema,
  chatResponseSchema,
  healthSchema,
  spawnResultSchema,
  taskResultSchema,
  toCatalog,
  toModelList,
  type ModelList,
  type Recipe,
} from './rest-schemas.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  get detail(): unknown {
    return (this.body as { detail?: unknown } | undefined)?.detail;
  }
}

export interface RestTarget {
  apiUrl: string;
  token: string | null;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type AgentCommandName = 'stop' | 'pause' | 'resume' | 'delete' | 'restart';

const seg = (s: string) => encodeURIComponent(s);

export class RestClient {
  constructor(
    private readonly target: () => RestTarget,
    private readonly fetchImpl: FetchLike = (i, init) => globalThis.fetch(i, init),
    /** Called on 401 so the page can ask for a token. */
    private readonly onUnauthorized: () => void = () => undefined,
    private readonly timeoutMs = 30_000,
  ) {}

  private headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json' };
    if (json) h['content-type'] = 'application/json';
    const { token } = this.target();
    if (token) {
      h.authorization = `Bearer ${token}`;
      h['x-api-key'] = token;
    }
    return h;
  }

  url(path: string): string {
    return new URL(path.replace(/^\//, ''), this.target().apiUrl).toString();
  }

  /** Sends a request; resolves with the parsed JSON body (undefined for an empty body). */
  async raw(method: string, path: string, body?: unknown, signal?: AbortSignal, timeoutMs = this.timeoutMs): Promise<unknown> {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    const onAbort = () => ctl.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort);
    let res: Response;
    try {
      const init: RequestInit = { method, headers: this.headers(body !== undefined), signal: ctl.signal, credentials: 'same-origin' };
      if (body !== undefined) init.body = JSON.stringify(body);
      res = await this.fetchImpl(this.url(path), init);
    } catch (e) {
      const reason = ctl.signal.aborted && ctl.signal.reason instanceof Error ? ctl.signal.reason.message : (e as Error).message;
      throw new ApiError(0, `${method} ${path}: hub unreachable (${reason})`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    const text = await res.text();
    let json: unknown = undefined;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
    }
    if (!res.ok) {
      if (res.status === 401) this.onUnauthorized();
      const msg =
        json && typeof json === 'object' && typeof (json as { error?: unknown }).error === 'string'
          ? (json as { error: string }).error
          : typeof json === 'string' && json.length < 300
            ? json
            : res.statusText || 'request failed';
      throw new ApiError(res.status, msg, json);
    }
    return json;
  }

  async request<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown, signal?: AbortSignal): Promise<T> {
    const json = await this.raw(method, path, body, signal);
    const r = schema.safeParse(json);
    if (!r.success) throw new ApiError(200, `${method} ${path}: unexpected response (${r.error.issues[0]?.message ?? 'invalid'})`, json);
    return r.data;
  }

  health(): Promise<HealthResponse> {
    return this.request('GET', 'health', healthSchema);
  }

  listAgents(): Promise<AgentSummary[]> {
    return this.request('GET', 'agents', agentListSchema);
  }

  command(target: string, command: AgentCommandName): Promise<unknown> {
    return this.raw('POST', 'agents/command', { target, command });
  }

  /** A TASK to an actor; resolves with its RESULT payload. Falls back to the original's message route for actors without a tasks route. */
  async sendTask(name: string, payload: unknown, timeoutMs = 60_000): Promise<unknown> {
    try {
      const r = await this.raw('POST', `agents/${seg(name)}/tasks`, { payload, timeout_ms: timeoutMs }, undefined, timeoutMs + 5_000);
      const parsed = taskResultSchema.safeParse(r);
      return parsed.success ? parsed.data.result : r;
    } catch (e) {
      if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 405)) throw e;
      const r = await this.raw('POST', `actors/${seg(name)}/message`, { content: payload }, undefined, timeoutMs + 5_000);
      return (r as { result?: unknown } | undefined)?.result ?? r;
    }
  }

  async chat(message: string, agentName?: string): Promise<ChatResponse> {
    const r = await this.request('POST', 'chat', chatResponseSchema, agentName ? { message, agent_name: agentName } : { message });
    return { status: 'sent', agent: r.agent, response: r.response };
  }

  /** POST /chat?stream=1: the reply as Server-Sent Events; `onChunk` gets each piece. */
  async chatStream(message: string, onChunk: (chunk: string) => void, signal?: AbortSignal, agentName?: string): Promise<ChatResponse> {
    const headers = { ...this.headers(true), accept: 'text/event-stream' };
    let res: Response;
    try {
      res = await this.fetchImpl(this.url('chat?stream=1'), {
        method: 'POST',
        headers,
        body: JSON.stringify(agentName ? { message, agent_name: agentName } : { message }),
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      throw new ApiError(0, `chat: hub unreachable (${(e as Error).message})`);
    }
    if (!res.ok) {
      if (res.status === 401) this.onUnauthorized();
      const text = await res.text();
      let err = res.statusText;
      try {
        err = (JSON.parse(text) as { error?: string }).error ?? err;
      } catch {
        // not JSON
      }
      throw new ApiError(res.status, err);
    }
    const ctype = res.headers.get('content-type') ?? '';
    if (!ctype.includes('text/event-stream') || !res.body) {
      // A hub without streaming answers with the whole reply.
      const r = chatResponseSchema.parse(JSON.parse(await res.text()));
      return { status: 'sent', agent: r.agent, response: r.response };
    }
    return readChatEvents(res.body, onChunk);
  }

  getCode(name: string): Promise<AgentCodeResponse> {
    return this.request('GET', `agents/${seg(name)}/code`, agentCodeSchema);
  }

  putCode(name: string, code: string, language: 'javascript' | 'typescript'): Promise<unknown> {
    return this.raw('PUT', `agents/${seg(name)}/code`, { code, language });
  }

  /** The hub's check of a module without deploying it. */
  async validateCode(code: string, language: 'javascript' | 'typescript'): Promise<{ ok: boolean; diagnostics: CodeDiagnostic[] }> {
    const r = await this.request('POST', 'agents/validate', codeCheckSchema, { code, language });
    return { ok: r.ok, diagnostics: r.diagnostics.map((d) => ({ message: d.message, line: d.line, column: d.column, severity: d.severity })) };
  }

  createAgent(req: CreateAgentRequest): Promise<unknown> {
    return this.raw('POST', 'agents', req);
  }

  deleteAgent(name: string): Promise<unknown> {
    return this.raw('DELETE', `agents/${seg(name)}`);
  }

  rollback(name: string, version: number): Promise<unknown> {
    return this.raw('POST', `agents/${seg(name)}/rollback`, { version });
  }

  /** The code of one stored version; tries `/versions/{n}` then `/code?version=n`. */
  async getVersionCode(name: string, version: number): Promise<string> {
    try {
      const r = await this.request('GET', `agents/${seg(name)}/versions/${version}`, agentVersionSchema);
      return r.code;
    } catch (e) {
      if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 405)) throw e;
      const r = await this.request('GET', `agents/${seg(name)}/code?version=${version}`, agentCodeSchema);
      if (r.version !== version) throw new ApiError(404, `this hub does not serve the code of version ${version}`);
      return r.code;
    }
  }

  async catalog(): Promise<{ recipes: Recipe[]; problems: { recipe: string; error: string }[] }> {
    const json = await this.raw('GET', 'catalog');
    try {
      return toCatalog(json);
    } catch (e) {
      throw new ApiError(200, `GET catalog: unexpected response (${(e as Error).message.slice(0, 200)})`, json);
    }
  }

  /** Spawns a recipe; `capabilities` grants some of its optional ones. Installs its packages first (the hub waits). */
  spawnRecipe(recipe: string, config: Record<string, unknown>, name?: string, capabilities?: string[]): Promise<z.infer<typeof spawnResultSchema>> {
    const body: Record<string, unknown> = { config };
    if (name) body.name = name;
    if (capabilities && capabilities.length > 0) body.capabilities = capabilities;
    return this.raw('POST', `catalog/${seg(recipe)}/spawn`, body, undefined, 10 * 60_000).then((json) => spawnResultSchema.parse(json ?? {}));
  }

  /** A person approves packages for installation (the allowlist), then installs them. */
  async approveAndInstall(packages: string[], agent?: string): Promise<unknown> {
    await this.raw('POST', 'installer/approve', { packages });
    return this.raw('POST', 'installer/install', agent ? { packages, agent } : { packages }, undefined, 10 * 60_000);
  }

  getSettings(): Promise<unknown> {
    return this.raw('GET', 'settings');
  }

  putSettings(patch: unknown): Promise<unknown> {
    return this.raw('PUT', 'settings', patch);
  }

  /** The models of the hub's configured provider (Ollama: the installed ones). */
  async llmModels(): Promise<ModelList> {
    return toModelList(await this.raw('GET', 'llm/models'));
  }

  // ---- Home Assistant ----

  haStatus(): Promise<HaStatusResponse> {
    return this.request('GET', 'ha/status', haStatusSchema);
  }

  haEntities(filter: { domain?: string; area?: string } = {}): Promise<HaEntitiesResponse> {
    const q = new URLSearchParams();
    if (filter.domain) q.set('domain', filter.domain);
    if (filter.area) q.set('area', filter.area);
    const qs = q.toString();
    return this.request('GET', `ha/entities${qs ? `?${qs}` : ''}`, haEntitiesSchema);
  }

  /** Recorded state history (epoch seconds). */
  haHistory(entityId: string, opts: { since?: number; until?: number; limit?: number; bucket?: number } = {}): Promise<HaHistoryResponse> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts)) if (v !== undefined) q.set(k, String(Math.floor(v)));
    const qs = q.toString();
    return this.request('GET', `ha/history/${seg(entityId)}${qs ? `?${qs}` : ''}`, haHistorySchema);
  }

  haToggle(entityId: string): Promise<HaToggleResponse> {
    return this.request('POST', `ha/entities/${seg(entityId)}/toggle`, haToggleSchema);
  }

  // ---- pipelines, nodes ----

  pipelines(): Promise<PipelineListResponse> {
    return this.request('GET', 'pipelines', pipelineListSchema);
  }

  nodes(): Promise<NodeInfo[]> {
    return this.request('GET', 'nodes', nodeListSchema);
  }

  // ── approvals (issue 12 item 6) ──

  /** Pending ones, or all recent ones with `state` absent and `all`. */
  approvals(opts: { all?: boolean } = {}): Promise<ApprovalList> {
    return this.request('GET', opts.all ? 'approvals?limit=100' : 'approvals?state=pending', approvalListSchema);
  }

  /** Approve or deny some items (keys) of an approval, or all its pending items. */
  decideApproval(id: string, decision: 'approve' | 'deny', items?: readonly string[]): Promise<ApprovalOutcome> {
    return this.request('POST', `approvals/${seg(id)}/${decision}`, approvalOutcomeSchema, items && items.length ? { items } : {});
  }

  grants(): Promise<AgentGrant[]> {
    return this.request('GET', 'grants', grantListSchema).then((r) => r.grants);
  }

  revokeGrant(agent: string, items: readonly string[]): Promise<AgentGrant> {
    return this.request('POST', `grants/${seg(agent)}/revoke`, agentGrantSchema, { items });
  }

  markGrantReviewed(agent: string): Promise<unknown> {
    return this.raw('POST', `grants/${seg(agent)}/reviewed`);
  }

  refusals(limit = 50): Promise<Refusal[]> {
    return this.request('GET', `approvals/refusals?limit=${limit}`, refusalListSchema).then((r) => r.refusals);
  }

  // ---- the graph, the activity feed ----

  graph(): Promise<Graph> {
    return this.request('GET', 'graph', graphSchema);
  }

  topicMessages(topic: string): Promise<TopicMessages> {
    return this.request('GET', `graph/messages?topic=${encodeURIComponent(topic)}`, topicMessagesSchema);
  }

  feed(q: { before?: string; kind?: string[]; limit?: number } = {}): Promise<FeedPage> {
    const params = new URLSearchParams();
    if (q.before) params.set('before', q.before);
    if (q.kind?.length) params.set('kind', q.kind.join(','));
    params.set('limit', String(q.limit ?? 100));
    return this.request('GET', `feed?${params.toString()}`, feedPageSchema);
  }
}

/** Reads `data: {"chunk": …}` events until `event: done` (or `event: error`). */
export async function readChatEvents(body: ReadableStream<Uint8Array>, onChunk: (chunk: string) => void): Promise<ChatResponse> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let final: ChatResponse | null = null;
  let text = '';
  const handle = (block: string) => {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length === 0) return;
    let json: unknown;
    try {
      json = JSON.parse(data.join('\n'));
    } catch {
      return;
    }
    if (event === 'error') throw new ApiError(500, (json as { error?: string }).error ?? 'chat failed');
    if (event === 'done') {
      const r = chatResponseSchema.safeParse(json);
      if (r.success) final = { status: 'sent', agent: r.data.agent, response: r.data.response };
      return;
    }
    const chunk = (json as { chunk?: unknown }).chunk;
    if (typeof chunk === 'string') {
      text += chunk;
      onChunk(chunk);
    }
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
    let idx: number;
    while ((idx = buf.indexOf('\n\n')) !== -1) {
      handle(buf.slice(0, idx));
      buf = buf.slice(idx + 2);
    }
  }
  if (buf.trim()) handle(buf);
  return final ?? { status: 'sent', agent: 'main', response: text };
}
