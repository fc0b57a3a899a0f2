/**
 * The hub side of the agent API: turns the guest's requests (JSON arrays, untrusted) into calls on
 * the AgentHost, after validating them. One bridge per engine instance, so that dropping an
 * instance (crash, hot-swap) drops exactly its subscriptions.
 */
import { z } from 'zod';
import type { AgentHost } from './types.js';

/** Upper bound of any wait the agent asks for (sendTo, mqttGet), whatever it passes. */
const MAX_WAIT_MS = 10 * 60_000;
/** Largest arguments of one call (a publish payload, a persisted value…), as JSON text. */
export const MAX_ARGS_CHARS = 4 * 1024 * 1024;
/** Fire-and-forget calls (publish, log, alert…) one agent may make per second, sustained; bursts up to twice that. */
export const SENDS_PER_SECOND = 5_000;
/** Subscriptions one agent may hold. */
export const MAX_SUBSCRIPTIONS = 1_000;

const json = z.unknown();
const seconds = z.number().nonnegative().finite();
const name = z.string().min(1).max(256);
const topic = z.string().min(1).max(1024);
const topicList = z.array(topic).max(100);
const fields = z.record(z.string().max(200), z.unknown());
/** `agent.declareContract`'s argument (the original's TopicContract fields). */
const agentContractSchema = z.object({
  publishes: topicList.optional(),
  subscribes: topicList.optional(),
  triggers_when: fields.optional(),
  produces_schema: fields.optional(),
  consumes_schema: fields.optional(),
});

const schemas = {
  log: z.tuple([z.enum(['debug', 'info', 'warning', 'error']).catch('info'), z.string()]),
  alert: z.tuple([z.string(), z.enum(['warning', 'critical']).catch('warning')]),
  publish: z.tuple([topic, json, z.object({ retain: z.boolean().optional(), qos: z.union([z.literal(0), z.literal(1)]).optional() }).catch({})]),
  subscribe: z.tuple([z.number().int(), topic]),
  unsubscribe: z.tuple([z.number().int()]),
  sendTo: z.tuple([name, json, seconds]),
  mqttGet: z.tuple([topic, seconds]),
  window: z.tuple([topic, seconds]),
  persist: z.tuple([z.string().min(1).max(512), json]),
  recall: z.tuple([z.string().min(1).max(512)]),
  'llm.chat': z.tuple([
    z.array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() })).min(1),
    z.object({ system: z.string().optional(), maxTokens: z.number().int().positive().optional(), temperature: z.number().optional() }),
  ]),
  'llm.complete': z.tuple([z.string().min(1), z.string().nullable()]),
  agents: z.tuple([]),
  topics: z.tuple([]),
  declareContract: z.tuple([agentContractSchema]),
  nodes: z.tuple([]),
  capabilities: z.tuple([z.string().max(200)]),
  fetch: z.tuple([
    z.string().url(),
    z.object({
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'get', 'post', 'put', 'patch', 'delete', 'head']).optional(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
      timeoutSeconds: seconds.optional(),
    }),
  ]),
} as const;

type Method = keyof typeof schemas;

export class HostRequestError extends Error {
  override name = 'HostRequestError';
}

export class HostBridge {
  private readonly subscriptions = new Map<number, () => void>();
  private closed = false;
  private tokens = SENDS_PER_SECOND * 2;
  private refilledAt = Date.now();
  private dropped = 0;

  constructor(
    private readonly host: AgentHost,
    private readonly agentName: string,
    /** Delivers a message of subscription `subId` to the guest. */
    private readonly deliver: (subId: number, topic: string, payload: unknown) => void,
  ) {}

  /** Fire-and-forget requests (log, publish…): failures are logged, never thrown at the agent. */
  send(method: string, argsJson: string): void {
    if (this.closed) return;
    if ((method === 'publish' || method === 'log' || method === 'alert') && !this.takeToken(method)) return;
    try {
      void this.dispatch(method, argsJson);
    } catch (e) {
      this.host.log('warning', `${this.agentName}: ${method} refused: ${(e as Error).message}`);
    }
  }

  /** Requests the agent awaits: the result is JSON-serialisable. */
  async request(method: string, argsJson: string): Promise<unknown> {
    if (this.closed) throw new HostRequestError('the agent is stopping');
    return this.dispatch(method, argsJson);
  }

  /** Drops every subscription this instance made. */
  close(): void {
    this.closed = true;
    for (const unsubscribe of this.subscriptions.values()) unsubscribe();
    this.subscriptions.clear();
  }

  /** Token bucket over fire-and-forget calls: a flood is dropped (and said once), not relayed. */
  private takeToken(method: string): boolean {
    const now = Date.now();
    this.tokens = Math.min(SENDS_PER_SECOND * 2, this.tokens + ((now - this.refilledAt) / 1000) * SENDS_PER_SECOND);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens--;
      if (this.dropped > 0) {
        this.host.log('warning', `${this.agentName}: ${this.dropped} message(s) dropped (more than ${SENDS_PER_SECOND}/s)`);
        this.dropped = 0;
      }
      return true;
    }
    if (this.dropped++ === 0 && method !== 'log') this.host.log('warning', `${this.agentName} sends too fast: dropping messages`);
    return false;
  }

  private parse<M extends Method>(method: M, argsJson: string): z.infer<(typeof schemas)[M]> {
    if (argsJson.length > MAX_ARGS_CHARS) throw new HostRequestError(`agent.${method}: arguments larger than ${MAX_ARGS_CHARS / (1024 * 1024)} MB`);
    let raw: unknown;
    try {
      raw = JSON.parse(argsJson);
    } catch {
      throw new HostRequestError(`${method}: arguments are not JSON`);
    }
    const parsed = schemas[method].safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HostRequestError(`agent.${method}: invalid arguments${issue ? ` (${issue.path.join('.') || 'value'}: ${issue.message})` : ''}`);
    }
    return parsed.data as z.infer<(typeof schemas)[M]>;
  }

  private dispatch(method: string, argsJson: string): unknown {
    const host = this.host;
    switch (method) {
      case 'log': {
        const [level, message] = this.parse('log', argsJson);
        host.log(level, message);
        return undefined;
      }
      case 'alert': {
        const [message, severity] = this.parse('alert', argsJson);
        host.alert(message, severity);
        return undefined;
      }
      case 'publish': {
        const [t, payload, opts] = this.parse('publish', argsJson);
        host.publish(t, payload, opts);
        return undefined;
      }
      case 'subscribe': {
        const [subId, pattern] = this.parse('subscribe', argsJson);
        if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) throw new HostRequestError(`more than ${MAX_SUBSCRIPTIONS} subscriptions`);
        this.subscriptions.get(subId)?.();
        this.subscriptions.set(subId, host.subscribe(pattern, (t, payload) => this.deliver(subId, t, payload)));
        return undefined;
      }
      case 'unsubscribe': {
        const [subId] = this.parse('unsubscribe', argsJson);
        this.subscriptions.get(subId)?.();
        this.subscriptions.delete(subId);
        return undefined;
      }
      case 'sendTo': {
        const [to, payload, timeout] = this.parse('sendTo', argsJson);
        return host.sendTo(to, payload, waitMs(timeout));
      }
      case 'mqttGet': {
        const [t, timeout] = this.parse('mqttGet', argsJson);
        return host.mqttGet(t, waitMs(timeout)).then((v) => v ?? null);
      }
      case 'window': {
        const [t, secs] = this.parse('window', argsJson);
        return host.window(t, secs);
      }
      case 'persist': {
        const [key, value] = this.parse('persist', argsJson);
        return host.persist(key, value);
      }
      case 'recall': {
        const [key] = this.parse('recall', argsJson);
        return host.recall(key).then((v) => v ?? null);
      }
      case 'llm.chat': {
        const [messages, options] = this.parse('llm.chat', argsJson);
        if (!host.llm) throw new HostRequestError('no LLM is available to this agent');
        return host.llm.chat(messages, options);
      }
      case 'llm.complete': {
        const [prompt, system] = this.parse('llm.complete', argsJson);
        if (!host.llm) throw new HostRequestError('no LLM is available to this agent');
        return host.llm.complete(prompt, system ?? undefined);
      }
      case 'agents':
        this.parse('agents', argsJson);
        return host.agents();
      case 'topics':
        this.parse('topics', argsJson);
        return host.topics();
      case 'declareContract': {
        const [contract] = this.parse('declareContract', argsJson);
        if (!host.declareContract) throw new HostRequestError('agent.declareContract is not available here');
        host.declareContract(contract);
        return undefined;
      }
      case 'nodes':
        this.parse('nodes', argsJson);
        return host.nodes ? host.nodes() : [];
      case 'capabilities': {
        const [keyword] = this.parse('capabilities', argsJson);
        if (!host.capabilities) throw new HostRequestError('agent.capabilities is not available here');
        return host.capabilities(keyword);
      }
      case 'fetch': {
        if (!host.fetch) throw new HostRequestError('network access is not granted to this agent: declare the `fetch` capability in its manifest and have it approved');
        const [url, init] = this.parse('fetch', argsJson);
        if (!/^https?:\/\//i.test(url)) throw new HostRequestError('agent.fetch: only http(s) URLs');
        return host.fetch({ ...init, method: init.method?.toUpperCase(), url });
      }
      default:
        throw new HostRequestError(`unknown agent API call: ${method}`);
    }
  }
}

function waitMs(secondsValue: number): number {
  return Math.min(Math.max(1, secondsValue * 1000), MAX_WAIT_MS);
}
