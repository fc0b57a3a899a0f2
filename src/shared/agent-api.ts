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

/** The hub's LLM, billed to this agent. Throws when no LLM is configured. */
export interface AgentLlm {
  /**
   * A chat completion. Pass a string for a single user message, or the whole conversation.
   * @returns the assistant's reply text.
   * @example const reply = await agent.llm.chat('Summarise: ' + text, { system: 'Be brief.' });
   */
  chat(messages: string | ChatMessage[], options?: LlmChatOptions): Promise<string>;
  /**
   * A one-shot completion of `prompt`, with an optional system prompt.
   * @example const title = await agent.llm.complete('Title for: ' + article);
   */
  complete(prompt: string, system?: string): Promise<string>;
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
  /** The messages seen on `topic` during the last `seconds` (oldest first). */
  window(topic: string, seconds: number): Promise<WindowSample[]>;
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
