/**
 * One local HTTP server (node:http, ephemeral port) that speaks Anthropic Messages, OpenAI chat
 * completions and Ollama's native API, answering from a script. The providers' real SDKs are
 * pointed at it in tests, e2e runs and benches; it records every request so a test can check the
 * model, headers and where the system prompt went.
 *
 *   const llm = await startScriptedLlmServer();
 *   llm.script('anthropic', [reply.error(429, { headers: { 'retry-after-ms': '10' } }), 'hello']);
 *   const p = new AnthropicProvider({ apiKey: 'k', baseUrl: llm.urls.anthropic });
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  defaultChunks,
  toReply,
  type RecordedLlmRequest,
  type ReplySpec,
  type Responder,
  type ScriptedReply,
  type WireProtocol,
} from './scripted-reply.js';
import { defaultErrorMessage, WIRE, type TextOutcome } from './wire-protocols.js';

export interface ScriptedLlmServerOptions {
  /** Answer for requests with nothing queued (per protocol, or '*' for all). Default: a 400 saying so. */
  defaultReply?: ReplySpec | Responder | Partial<Record<WireProtocol | '*', ReplySpec | Responder>>;
  /** Models /api/tags lists and /api/chat accepts; null accepts any. Default: ['llama3:latest']. */
  ollamaModels?: string[] | null;
  /** When set, requests of that protocol need this key (x-api-key or Bearer), else 401. */
  apiKeys?: Partial<Record<WireProtocol, string>>;
  /** Bind address; default 127.0.0.1. */
  host?: string;
}

export interface ScriptedLlmServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Base URLs to give each provider (the path each SDK expects under it). */
  readonly urls: { anthropic: string; openai: string; nim: string; gemini: string; ollama: string };
  /** Every request so far, in arrival order (live array). */
  readonly requests: readonly RecordedLlmRequest[];
  /** Queues replies for a protocol; each entry answers one request, in order. */
  script(protocol: WireProtocol, replies: ReplySpec | Responder | ReadonlyArray<ReplySpec | Responder>): void;
  /** Sets (or with undefined clears) the answer used when a protocol's queue is empty. */
  respond(protocol: WireProtocol | '*', reply: ReplySpec | Responder | undefined): void;
  /** Replies still queued for a protocol. */
  pending(protocol: WireProtocol): number;
  requestsFor(protocol: WireProtocol): RecordedLlmRequest[];
  lastRequest(protocol?: WireProtocol): RecordedLlmRequest | undefined;
  /** Resolves once `count` chat requests (of that protocol, if given) have arrived in total. */
  waitForRequests(count: number, protocol?: WireProtocol, timeoutMs?: number): Promise<RecordedLlmRequest[]>;
  setOllamaModels(models: string[] | null): void;
  /** Clears queues and recorded requests; defaults return to the start options. */
  reset(): void;
  close(): Promise<void>;
}

type Entry = ReplySpec | Responder;

const sameOllamaName = (a: string, b: string): boolean => (a.includes(':') ? a : `${a}:latest`) === (b.includes(':') ? b : `${b}:latest`);

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function textLength(body: unknown): number {
  // Rough token estimate input: every string in messages/system counts.
  let n = 0;
  const walk = (v: unknown): void => {
    if (typeof v === 'string') n += v.length;
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  const b = body as { messages?: unknown; system?: unknown } | undefined;
  walk(b?.messages);
  walk(b?.system);
  return n;
}

function protocolOf(method: string, path: string): WireProtocol | 'ollama-tags' | 'ollama-version' | 'ollama-root' | undefined {
  if (method === 'POST' && path === '/api/chat') return 'ollama';
  if (method === 'GET' && path === '/api/tags') return 'ollama-tags';
  if (method === 'GET' && path === '/api/version') return 'ollama-version';
  if ((method === 'GET' || method === 'HEAD') && path === '/') return 'ollama-root';
  if (method === 'POST' && path.endsWith('/chat/completions')) return 'openai';
  if (method === 'POST' && path.endsWith('/messages')) return 'anthropic';
  return undefined;
}

export async function startScriptedLlmServer(options: ScriptedLlmServerOptions = {}): Promise<ScriptedLlmServer> {
  const queues: Record<WireProtocol, Entry[]> = { anthropic: [], openai: [], ollama: [] };
  const initialDefaults = normalizeDefaults(options.defaultReply);
  let defaults = { ...initialDefaults };
  let ollamaModels: string[] | null = options.ollamaModels === undefined ? ['llama3:latest'] : options.ollamaModels;
  const requests: RecordedLlmRequest[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  let nextId = 1;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`scripted LLM server failed: ${err instanceof Error ? err.message : String(err)}`);
      } else res.destroy();
    });
  });
  server.on('connection', (s) => {
    s.setNoDelay(true); // stream chunks leave as they are written
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = performance.now();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const method = req.method ?? 'GET';
    const route = protocolOf(method, path);
    const raw = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);

    if (route === 'ollama-root') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('Ollama is running');
    if (route === 'ollama-version') return json(res, 200, { version: '0.12.6' });
    if (route === undefined) return json(res, 404, { error: `scripted LLM server: no route for ${method} ${path}` });

    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return json(res, 400, { error: 'scripted LLM server: request body is not JSON' });
      }
    }
    const protocol: WireProtocol = route === 'ollama-tags' ? 'ollama' : route;
    const b = body as { model?: unknown; stream?: unknown } | undefined;
    let markClosed!: () => void;
    const record: RecordedLlmRequest = {
      id: nextId++,
      protocol,
      method,
      path,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
      body,
      model: typeof b?.model === 'string' ? b.model : undefined,
      stream: protocol === 'ollama' ? b?.stream !== false && route === 'ollama' : b?.stream === true,
      reply: undefined,
      timing: { receivedAt },
      closed: new Promise<void>((r) => (markClosed = r)),
    };
    res.on('close', () => {
      record.timing.closedAt = performance.now();
      markClosed();
    });
    requests.push(record);
    for (const w of [...waiters]) w();

    if (route === 'ollama-tags') return json(res, 200, { models: (ollamaModels ?? []).map(tagEntry) });

    const key = options.apiKeys?.[protocol];
    if (key !== undefined && req.headers['x-api-key'] !== key && req.headers.authorization !== `Bearer ${key}`) {
      return json(res, 401, WIRE[protocol].errorBody(401, defaultErrorMessage(protocol, 401)));
    }
    if (protocol === 'ollama' && ollamaModels !== null && !ollamaModels.some((m) => sameOllamaName(m, record.model ?? ''))) {
      // Real Ollama answers an unknown model like this (status 404, JSON error).
      return json(res, 404, { error: `model "${record.model ?? ''}" not found, try pulling it first` });
    }
    const chosen = nextReply(protocol, record);
    record.reply = chosen;
    await send(res, protocol, record, chosen);
  }

  function nextReply(protocol: WireProtocol, record: RecordedLlmRequest): ScriptedReply {
    const entry = queues[protocol].shift() ?? defaults[protocol] ?? defaults['*'];
    if (entry === undefined) {
      return {
        kind: 'error',
        status: 400,
        message: `scripted LLM server has no reply queued for ${protocol} — call script('${protocol}', …) or set defaultReply`,
      };
    }
    return toReply(typeof entry === 'function' ? entry(record) : entry);
  }

  async function send(res: ServerResponse, protocol: WireProtocol, record: RecordedLlmRequest, r: ScriptedReply): Promise<void> {
    const codec = WIRE[protocol];
    await sleep(r.delayMs ?? 0);
    if (res.destroyed) return;
    if (r.kind === 'drop') return void res.socket?.destroy();
    if (r.kind === 'error') {
      const errBody = r.body ?? codec.errorBody(r.status, r.message ?? defaultErrorMessage(protocol, r.status));
      return json(res, r.status, errBody, r.headers, record);
    }
    if (r.kind === 'hang' && (!record.stream || r.text === undefined)) return; // silent until the client gives up
    const text = r.kind === 'text' || r.kind === 'truncated' ? r.text : (r.text ?? '');
    const outcome = resolveOutcome(protocol, record, r, text);

    if (!record.stream) {
      if (r.kind === 'malformed') {
        return raw(res, 200, 'application/json', '{"id": "broken", "content": [', r.headers, record);
      }
      return json(res, 200, codec.blockingBody(outcome), r.headers, record);
    }

    res.writeHead(200, { 'content-type': codec.streamContentType, 'cache-control': 'no-cache', ...r.headers });
    res.flushHeaders();
    record.timing.headersSentAt = performance.now();
    for (const frame of codec.streamHead(outcome)) res.write(frame);
    const chunkDelay = r.kind === 'text' ? (r.chunkDelayMs ?? 0) : 0;
    for (const [i, chunk] of outcome.chunks.entries()) {
      if (i > 0) await sleep(chunkDelay);
      if (res.destroyed) return;
      res.write(codec.streamChunk(outcome, chunk));
      record.timing.firstTextAt ??= performance.now();
    }
    if (r.kind === 'hang') return; // keep the stream open, say nothing more
    if (r.kind === 'malformed') res.write(codec.malformedFrame(outcome));
    else if (r.kind === 'stream_error') res.write(codec.streamError(r.message ?? 'Overloaded', r.errorType ?? 'overloaded_error'));
    else if (r.kind === 'text') for (const frame of codec.streamTail(outcome)) res.write(frame);
    res.end();
    record.timing.endedAt = performance.now();
  }

  function resolveOutcome(protocol: WireProtocol, record: RecordedLlmRequest, r: ScriptedReply, text: string): TextOutcome {
    const t = r.kind === 'text' ? r : undefined;
    const chunks = t?.chunks ?? defaultChunks(text);
    const b = record.body as { stream_options?: { include_usage?: unknown } } | undefined;
    return {
      id: protocol === 'anthropic' ? `msg_scripted_${record.id}` : `chatcmpl-scripted-${record.id}`,
      text,
      chunks,
      model: t?.model ?? record.model ?? 'scripted-model',
      inputTokens: t?.usage?.inputTokens ?? Math.max(1, Math.ceil(textLength(record.body) / 4)),
      outputTokens: t?.usage?.outputTokens ?? chunks.length,
      stopReason: t?.stopReason,
      includeUsage: b?.stream_options?.include_usage === true,
    };
  }

  function json(res: ServerResponse, status: number, value: unknown, headers?: Record<string, string>, record?: RecordedLlmRequest): void {
    raw(res, status, 'application/json', JSON.stringify(value), headers, record);
  }

  function raw(
    res: ServerResponse,
    status: number,
    contentType: string,
    text: string,
    headers?: Record<string, string>,
    record?: RecordedLlmRequest,
  ): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': contentType, 'request-id': 'req_scripted', ...headers });
    res.end(text);
    if (record) record.timing.headersSentAt = record.timing.endedAt = performance.now();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host}:${port}`;

  return {
    url,
    urls: { anthropic: url, openai: `${url}/v1`, nim: `${url}/v1`, gemini: `${url}/v1beta/openai/`, ollama: url },
    requests,
    script(protocol, replies) {
      const list: Entry[] = Array.isArray(replies) ? [...(replies as Entry[])] : [replies as Entry];
      queues[protocol].push(...list);
    },
    respond(protocol, r) {
      if (r === undefined) delete defaults[protocol];
      else defaults[protocol] = r;
    },
    pending: (protocol) => queues[protocol].length,
    requestsFor: (protocol) => requests.filter((r) => r.protocol === protocol && r.method === 'POST'),
    lastRequest: (protocol) => [...requests].reverse().find((r) => r.method === 'POST' && (!protocol || r.protocol === protocol)),
    waitForRequests(count, protocol, timeoutMs = 10_000) {
      const matching = (): RecordedLlmRequest[] => requests.filter((r) => r.method === 'POST' && (!protocol || r.protocol === protocol));
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = matching();
          if (found.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`scripted LLM server: expected ${count} ${protocol ?? ''} request(s), got ${matching().length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    setOllamaModels(models) {
      ollamaModels = models;
    },
    reset() {
      for (const q of Object.values(queues)) q.length = 0;
      requests.length = 0;
      defaults = { ...initialDefaults };
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy(); // hanging replies would keep close() waiting forever
        server.close(() => resolve());
      });
    },
  };
}

function normalizeDefaults(d: ScriptedLlmServerOptions['defaultReply']): Partial<Record<WireProtocol | '*', Entry>> {
  if (d === undefined) return {};
  if (typeof d === 'string' || typeof d === 'function' || 'kind' in d) return { '*': d as Entry };
  return { ...(d as Partial<Record<WireProtocol | '*', Entry>>) };
}

function tagEntry(name: string) {
  const full = name.includes(':') ? name : `${name}:latest`;
  const family = full.split(':')[0]!.replace(/[\d.]+$/, '') || 'llama';
  return {
    name: full,
    model: full,
    modified_at: '2025-06-01T12:00:00.000000000Z',
    size: 4_661_224_676,
    digest: `sha256:${Buffer.from(full).toString('hex').padEnd(64, '0').slice(0, 64)}`,
    details: { parent_model: '', format: 'gguf', family, families: [family], parameter_size: '8.0B', quantization_level: 'Q4_0' },
  };
}
