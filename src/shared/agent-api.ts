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
   * `timeoutSeconds`, default 30).
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
