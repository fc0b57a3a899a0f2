/**
 * The API a DynamicAgent's code sees: the `agent` object and the module's exports.
 *
 * This file is the single source of truth for three readers: the hub (types of the sandbox
 * runtime), the Monaco editor (completion and hover: the renderer imports this file `?raw` and
 * turns it into global declarations with `agentApiAmbientDts` from ./agent-api-ambient.ts), and
 * the LLM prompt that teaches the API. Keep it declarations only — no imports, no runtime code —
 * so that stripping `export` yields a valid global .d.ts.
 *
 * Timeouts and intervals are in SECONDS, as in the original Wactorz.
 */

/** Log levels of `agent.log` (shown in the dashboard, published on `agents/{id}/logs`). */
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

/** Severity of `agent.alert` (published on `agents/{id}/alert`). */
export type AlertSeverity = 'warning' | 'critical';

/**
 * The agent's persistent state: a plain JSON object. Whatever you put here survives restarts and
 * hot-swaps (it is saved after every call that changed it). Only JSON values are kept.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- agent code reads its own state freely
export type AgentState = Record<string, any>;

/** One chat turn for `agent.llm.chat`. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LlmChatOptions {
  /** System prompt for this call. */
  system?: string;
  /** Upper bound on the reply length, in tokens. */
  maxTokens?: number;
  temperature?: number;
}

/**
 * The hub's LLM, billed to this agent within its budget (`llm_budget_usd`). Rejects when no LLM is
 * configured or the budget is spent. The original's argument forms are accepted too: a `system`
 * string where ours takes options, and a list of messages for `complete`.
 */
export interface AgentLlm {
  /**
   * A chat completion. Pass a string for a single user message, or the whole conversation.
   * @returns the assistant's reply text.
   * @example const reply = await agent.llm.chat('Summarise: ' + text, { system: 'Be brief.' });
   */
  chat(messages: string | ChatMessage[], options?: LlmChatOptions | string): Promise<string>;
  /**
   * A one-shot completion of `prompt` (or, as in the original, a list of messages), with an optional system prompt.
   * @example const title = await agent.llm.complete('Title for: ' + article);
   */
  complete(prompt: string | ChatMessage[], system?: string | LlmChatOptions): Promise<string>;
  /**
   * A conversation that remembers: each call adds the message and the reply to
   * `agent.state._chat_history` (kept across restarts; the oldest exchanges are dropped past 40
   * messages or 32 000 characters; set it to `[]` to start over).
   * @example export async function handleTask(agent, p) { return { reply: await agent.llm.converse(p.text, 'You are helpful.') }; }
   */
  converse(message: string, system?: string | LlmChatOptions): Promise<string>;
}

/** An actor of the hub, as `agent.agents()` lists it. */
export interface AgentInfo {
  name: string;
  actor_id: string;
  /** e.g. running, paused, stopped, failed */
  state: string;
  description?: string;
  capabilities?: string[];
  protected?: boolean;
  /** The actor kind, e.g. dynamic, llm, main. */
  kind?: string;
}

/** A topic the hub knows about, as `agent.topics()` lists it. */
export interface TopicInfo {
  topic: string;
  description?: string;
  /** Names of the agents that publish it. */
  publishers?: string[];
  /** Epoch seconds of the last message seen. */
  last_seen?: number;
}

/** One message seen on a topic, as `agent.window()` returns it. */
export interface WindowSample {
  topic: string;
  /** Parsed JSON when the message was JSON, else its text. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- message payloads are whatever publishers sent
  payload: any;
  /** Epoch seconds. */
  timestamp: number;
}

/**
 * What `agent.window()` resolves to: the samples (an array, oldest first) with the original
 * StreamWindow's statistics as methods. A value is a field of a JSON-object payload, or the payload
 * itself under the key `value` (the default key); numeric statistics use the numbers only. The
 * samples are those the hub had when `window()` was called; each method counts those still inside
 * the window at the moment it is called, so await `agent.window()` again (in `process`) for new ones.
 * @example const w = await agent.window('sensors/temp', 600); if (w.rising('celsius', 3)) agent.alert('warming fast'); if (w.absentFor(120)) agent.alert('sensor silent');
 */
export interface StreamWindow extends Array<WindowSample> {
  /** The topic (or filter) watched. */
  readonly topic: string;
  /** The window's length, in seconds. */
  readonly seconds: number;
  /** The samples themselves (the same array). */
  readonly samples: WindowSample[];
  /** The array's own iterator (no key). */
  values(): ReturnType<WindowSample[]['values']>;
  /** Every value of `key` in the window, oldest first. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- message payloads are whatever publishers sent
  values(key: string): any[];
  /** The newest entry: the payload's fields (or `{ value }`) plus `_ts` (epoch seconds); `null` when empty. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- message payloads are whatever publishers sent
  latest(): Record<string, any> | null;
  /** How many samples are in the window. */
  count(): number;
  /** The mean of `key` (default `value`); `null` without numbers. */
  mean(key?: string): number | null;
  min(key?: string): number | null;
  max(key?: string): number | null;
  /** The newest value minus the oldest is at least `threshold` (default 1). */
  rising(key?: string, threshold?: number): boolean;
  /** The oldest value minus the newest is at least `threshold` (default 1). */
  falling(key?: string, threshold?: number): boolean;
  /** The values span at most `tolerance` (default 0.5); true with fewer than two. */
  stable(key?: string, tolerance?: number): boolean;
  /** Nothing arrived in the last `seconds` (true when the window is empty). */
  absentFor(seconds: number): boolean;
  /** Samples in the last `seconds` (default: the window) that have `key` (any, when omitted) equal to `value` (any, when omitted). */
  eventCount(key?: string, value?: unknown, seconds?: number): number;
  /** The original's name for `absentFor`. */
  absent_for(seconds: number): boolean;
  /** The original's name for `eventCount`. */
  event_count(key?: string, value?: unknown, seconds?: number): number;
}

/** Options of `agent.fetch` (a subset of the web `fetch`). */
export interface FetchInit {
  /** GET (default), POST, PUT, PATCH, DELETE, HEAD. */
  method?: string;
  headers?: Record<string, string>;
  /** A string is sent as is; an object is sent as JSON (with `content-type: application/json`). */
  body?: string | Record<string, unknown> | unknown[];
  /** Give up after this many seconds (default 30). */
  timeoutSeconds?: number;
}

/** What `agent.fetch` resolves to (the body is read once, as text, by the hub). */
export interface AgentFetchResponse {
  ok: boolean;
  status: number;
  statusText: string;
  url: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  text(): Promise<string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are untyped
  json<T = any>(): Promise<T>;
}

/** A remote node of the hub, as `agent.nodes()` lists it. */
export interface NodeSummary {
  /** The node's name. */
  node: string;
  online: boolean;
  /** Names of the agents running there. */
  agents: string[];
  /** Epoch seconds of its last heartbeat, or null. */
  last_seen?: number | null;
}

/** An agent and what it offers, as `agent.capabilities()` lists it. */
export interface CapabilityInfo {
  name: string;
  description: string;
  capabilities: string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- schemas are free-form, as their agents declare them
  input_schema: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- schemas are free-form, as their agents declare them
  output_schema: any;
  /** Live right now: send it tasks. */
  running: boolean;
  /** A catalog recipe that is not running: spawning it (the catalog, or main) makes it available. */
  spawnable: boolean;
  /** e.g. dynamic, llm, catalog, main. */
  kind?: string;
}

/**
 * What an agent says it produces and consumes (`agent.declareContract`), shown in its manifest
 * (`agents/{id}/manifest`) so the planner and other agents can find it. It describes; it grants
 * nothing — what the agent may publish or read was decided when it was spawned.
 */
export interface AgentContract {
  /** Topics it publishes. */
  publishes?: string[];
  /** Topics it subscribes to. */
  subscribes?: string[];
  /** Conditions under which it acts, e.g. `{ person_detected: true }`. */
  triggers_when?: Record<string, unknown>;
  /** Fields of what it publishes, e.g. `{ confidence: 'float' }`. */
  produces_schema?: Record<string, unknown>;
  /** Fields of what it expects. */
  consumes_schema?: Record<string, unknown>;
}

/** One entry of `agent.sendToMany`: `[name, payload]` or `{ name, payload }`. */
export type SendToManyTask = [name: string, payload: unknown] | { name: string; payload?: unknown };

/** Stops a subscription made with `agent.subscribe`. */
export type Unsubscribe = () => void;

/**
 * The only door your agent has to the system. Your module's functions receive it:
 * `export async function setup(agent) { … }`.
 *
 * There is no `require`, `import` of Node modules, `process`, filesystem or network other than
 * what this object offers. Everything that talks to the hub returns a Promise: `await` it.
 */
export interface Agent {
  /** This agent's name (unique in the hub). */
  readonly name: string;
  /** This agent's stable id (uuid5 of its name), used in `agents/{id}/…` topics. */
  readonly actorId: string;
  /**
   * Persistent state: a plain JSON object, kept across restarts and hot-swaps.
   * @example agent.state.count = (agent.state.count ?? 0) + 1;
   */
  state: AgentState;
  /** Seconds between two `process(agent)` calls. Set it in `setup` to change the pace. */
  interval: number;
  /** Secrets declared in the agent's manifest and approved by the user (e.g. a webhook URL). */
  readonly env: Readonly<Record<string, string>>;
  /** The hub's LLM. */
  readonly llm: AgentLlm;

  /** Writes to the agent's log (dashboard and `agents/{id}/logs`). Default level `info`. */
  log(message: unknown, level?: LogLevel): void;
  /** Raises an alert for the user (`agents/{id}/alert`). Default severity `warning`. */
  alert(message: string, severity?: AlertSeverity): void;
  /**
   * Publishes on the MQTT bus. Objects are sent as JSON.
   * @example agent.publish('home/livingroom/alert', { level: 'high', value: 31.5 });
   */
  publish(topic: string, payload: unknown, options?: { retain?: boolean; qos?: 0 | 1 }): void;
  /**
   * Calls `callback(payload, topic)` for every message matching `pattern` (MQTT wildcards:
   * `+` one level, `#` the rest). `payload` is parsed JSON when possible, else the text.
   * @returns a function that stops the subscription.
   * @example agent.subscribe('homeassistant/state_changes/#', (msg) => { if (msg.entity_id === 'light.lamp') … });
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- message payloads are whatever publishers sent
  subscribe(pattern: string, callback: (payload: any, topic: string) => void | Promise<void>): Unsubscribe;
  /**
   * Sends a task to another agent and waits for its result (rejects on its error or after
   * `timeoutSeconds`, default 60, as in the original).
   * @example const weather = await agent.sendTo('weather-agent', { city: 'Lyon' }, 20);
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- other agents' results are untyped
  sendTo<T = any>(name: string, payload: unknown, timeoutSeconds?: number): Promise<T>;
  /** Waits for the next message on `topic` (wildcards allowed); `null` after `timeoutSeconds` (default 10). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- message payloads are whatever publishers sent
  mqttGet<T = any>(topic: string, timeoutSeconds?: number): Promise<T | null>;
  /**
   * The messages seen on `topic` during the last `seconds` (default 300), oldest first, with the
   * original's statistics (`mean`, `rising`, `absentFor`…: see StreamWindow).
   * @example const w = await agent.window('sensors/temp', 600); const avg = w.mean('celsius');
   */
  window(topic: string, seconds?: number): Promise<StreamWindow>;
  /** Stores a JSON value under `key`, for this agent only. */
  persist(key: string, value: unknown): Promise<void>;
  /** Reads what `persist(key, …)` stored, or `undefined`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- stored values are untyped
  recall<T = any>(key: string): Promise<T | undefined>;
  /** The hub's actors. */
  agents(): Promise<AgentInfo[]>;
  /** The topics the hub knows about. */
  topics(): Promise<TopicInfo[]>;
  /**
   * HTTP(S) request — only when the agent was granted network access (capability `fetch`);
   * otherwise it rejects with "not granted".
   * @example await agent.fetch(agent.env.WEBHOOK_URL, { method: 'POST', body: { content: 'Lamp is on!' } });
   */
  fetch(url: string, init?: FetchInit): Promise<AgentFetchResponse>;
  /** Resolves after `seconds`. */
  sleep(seconds: number): Promise<void>;
  /**
   * Publishes `data` on this agent's `agents/{actorId}/result` (for whoever watches its results).
   * @example agent.publishResult({ temperature: 21.5 });
   */
  publishResult(data: unknown): void;
  /** Publishes `data` on this agent's `agents/{actorId}/detections`. */
  publishDetection(data: unknown): void;
  /**
   * Shares a piece of world state, retained (unless `retain` is false), on `agents/{name}/data/{key}`:
   * other agents read it at any time with `readWorldState`.
   * @example agent.publishWorldState('presence', { zone: 'kitchen', present: true });
   */
  publishWorldState(key: string, data: unknown, retain?: boolean): void;
  /**
   * Reads retained world state: a topic, or an agent's name and key (`agents/{name}/data/{key}`);
   * `null` when nothing arrives within `timeoutSeconds` (default 2). Reading another agent's topics
   * needs them declared in this agent's `subscribes`.
   * @example const presence = await agent.readWorldState('presence-agent', 'presence');
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- world state is whatever its publisher shared
  readWorldState<T = any>(topicOrAgent: string, keyOrTimeout?: string | number, timeoutSeconds?: number): Promise<T | null>;
  /**
   * Sends tasks to several agents at once and waits for all: the results in the same order; a task
   * that failed gives `{ error, kind }` in its place instead of rejecting the whole call.
   * @example const [weather, news] = await agent.sendToMany([['weather-agent', { city: 'Athens' }], ['news-agent', { topic: 'AI' }]]);
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- other agents' results are untyped
  sendToMany(tasks: SendToManyTask[], timeoutSeconds?: number): Promise<any[]>;
  /** Same as `sendTo` (the name coordinators use). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- other agents' results are untyped
  delegate<T = any>(name: string, payload: unknown, timeoutSeconds?: number): Promise<T>;
  /**
   * Says what this agent publishes and consumes; it goes into its manifest for the planner and other
   * agents. It grants nothing.
   * @example agent.declareContract({ publishes: ['home/kitchen/presence'], triggers_when: { person_detected: true } });
   */
  declareContract(contract: AgentContract): Promise<void>;
  /** The hub's remote nodes, online or not, with the agents on each (on a node: that node). */
  nodes(): Promise<NodeSummary[]>;
  /**
   * Agents and catalog recipes with what they take and give, optionally those matching `keyword`
   * (name, description or capabilities). Check it before delegating.
   * @example const weather = (await agent.capabilities('weather')).find((a) => a.running);
   */
  capabilities(keyword?: string): Promise<CapabilityInfo[]>;
  /** Says something to the user in the chat, outside a task's answer (`agents/{actorId}/chat`). */
  notifyUser(text: string, extra?: Record<string, unknown>): void;
  /**
   * The original's LLM call on the agent itself: `agent.llm.chat` with a `system` string, answering
   * '' after `timeoutSeconds` (default 60). Same budget and billing as `agent.llm`.
   * @example const reply = await agent.chat([{ role: 'user', content: 'Hi' }], 'Be brief.', 20);
   */
  chat(messages: string | ChatMessage[], system?: string | LlmChatOptions, timeoutSeconds?: number): Promise<string>;
  /** Same as `agent.chat` (the original's other name for it). */
  complete(messages: string | ChatMessage[], system?: string | LlmChatOptions, timeoutSeconds?: number): Promise<string>;
  /**
   * One question to the LLM (`agent.llm.complete`), answering '' after `timeoutSeconds` (default 60).
   * @example const label = await agent.askLlm('One word for: ' + text, 'Answer with one word.');
   */
  askLlm(prompt: string, system?: string | LlmChatOptions, timeoutSeconds?: number): Promise<string>;
}

/**
 * The original Wactorz's snake_case names, accepted beside ours so that its agents' habits keep
 * working (same behaviour as the camelCase member each names).
 */
export interface Agent {
  /** The original's name for `actorId`. */
  readonly actor_id: string;
  /** The original's name for `sendTo`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- other agents' results are untyped
  send_to<T = any>(name: string, payload: unknown, timeoutSeconds?: number): Promise<T>;
  /** The original's name for `sendToMany`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- other agents' results are untyped
  send_to_many(tasks: SendToManyTask[], timeoutSeconds?: number): Promise<any[]>;
  /** The original's name for `mqttGet`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- message payloads are whatever publishers sent
  mqtt_get<T = any>(topic: string, timeoutSeconds?: number): Promise<T | null>;
  /** The original's name for `publishResult`. */
  publish_result(data: unknown): void;
  /** The original's name for `publishDetection`. */
  publish_detection(data: unknown): void;
  /** The original's name for `publishWorldState`. */
  publish_world_state(key: string, data: unknown, retain?: boolean): void;
  /** The original's name for `readWorldState`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- world state is whatever its publisher shared
  read_world_state<T = any>(topicOrAgent: string, keyOrTimeout?: string | number, timeoutSeconds?: number): Promise<T | null>;
  /** The original's name for `declareContract`; also `(publishes, subscribes, triggers_when, produces_schema, consumes_schema)`. */
  declare_contract(contract: AgentContract | string[], subscribes?: string[], triggers_when?: Record<string, unknown>, produces_schema?: Record<string, unknown>, consumes_schema?: Record<string, unknown>): Promise<void>;
  /** The original's name for `notifyUser`. */
  notify_user(text: string, extra?: Record<string, unknown>): void;
  /** The original's name for `askLlm`. */
  ask_llm(prompt: string, system?: string | LlmChatOptions, timeoutSeconds?: number): Promise<string>;
}

/**
 * What an agent module exports. At least one of `setup`, `handleTask` (or `handle_task`) and
 * `process` is required.
 *
 * @example
 * export async function setup(agent) { agent.state.seen ??= 0; }
 * export async function handleTask(agent, payload) { agent.state.seen++; return { echo: payload }; }
 */
export interface AgentModule {
  /** Called once when the agent starts (and after every restart or hot-swap). Subscribe here. */
  setup?(agent: Agent): void | Promise<void>;
  /** Called in a loop, `agent.interval` seconds apart, for polling work. */
  process?(agent: Agent): void | Promise<void>;
  /** Answers a task: the returned (JSON) value is the RESULT; a throw is an ERROR. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- task payloads are whatever the sender sent
  handleTask?(agent: Agent, payload: any): unknown;
  /** The original's snake_case name for `handleTask`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- task payloads are whatever the sender sent
  handle_task?(agent: Agent, payload: any): unknown;
  /** Called before the agent stops or is replaced by a new version. */
  cleanup?(agent: Agent): void | Promise<void>;
}

/** `console` inside an agent: each call goes to `agent.log` with the matching level. */
export interface AgentConsole {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}
