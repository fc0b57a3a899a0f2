/**
 * The sandbox runtime's contract with the hub. The hub side (the DynamicAgent actor) implements
 * `AgentHost` — the only door generated code has to the system — and drives a `SandboxedAgent`.
 * Timeouts on this side are milliseconds; the guest API (src/shared/agent-api.ts) speaks seconds,
 * as the original did, and the runtime converts.
 */
import type { AgentContract, AgentInfo, CapabilityInfo, ChatMessage, FetchInit, NodeSummary, TopicInfo, WindowSample, LlmChatOptions, AlertSeverity, LogLevel } from '../../../../shared/agent-api.js';
import type { SandboxError } from './errors.js';

export type AgentLanguage = 'javascript' | 'typescript';

export interface SandboxLimits {
  /** Heap cap of the agent's JavaScript engine, in MB (default 64). Exceeding it is `out_of_memory`. */
  memoryMb: number;
  /**
   * Per call (setup, handleTask, process, cleanup, a subscription callback or timer): the longest it
   * may take, awaits included, and the longest any synchronous stretch may run (default 60 000 ms,
   * the original's `handle_task` limit — the one asking, REST or an @mention, waits 60 s too).
   */
  callTimeoutMs: number;
}

export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({ memoryMb: 64, callTimeoutMs: 60_000 });

/** The request an agent's `fetch` hands to the host (already validated). */
export interface HostFetchRequest extends FetchInit {
  url: string;
}

/** What the host answers to a fetch; the body as text (the host caps its size). */
export interface HostFetchResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  url: string;
}

/**
 * The hub-side capability object of ONE agent. Everything generated code can do goes through it,
 * so scoping (persist keys per agent, allowed topics, granted capabilities) is enforced here by
 * the implementer. Optional members are capabilities that may be withheld: when absent, the
 * agent's call fails with a clear "not granted" error.
 */
export interface AgentHost {
  log(level: LogLevel, message: string): void;
  alert(message: string, severity: AlertSeverity): void;
  publish(topic: string, payload: unknown, opts?: { retain?: boolean; qos?: 0 | 1 }): void;
  /** MQTT wildcards; `payload` is parsed JSON when it parses, else the UTF-8 text. Returns an unsubscribe. */
  subscribe(pattern: string, handler: (topic: string, payload: unknown) => void): () => void;
  /** Ask another actor (TASK → RESULT); rejects on ERROR or timeout. */
  sendTo(name: string, payload: unknown, timeoutMs: number): Promise<unknown>;
  /** The next message on `topic` (wildcards allowed), or null after `timeoutMs`. */
  mqttGet(topic: string, timeoutMs: number): Promise<unknown>;
  /** Samples seen on `topic` during the last `seconds`. */
  window(topic: string, seconds: number): Promise<WindowSample[]>;
  persist(key: string, value: unknown): Promise<void>;
  recall(key: string): Promise<unknown>;
  llm?: {
    chat(messages: ChatMessage[], options: LlmChatOptions): Promise<string>;
    complete(prompt: string, system?: string): Promise<string>;
  };
  agents(): Promise<AgentInfo[]>;
  topics(): Promise<TopicInfo[]>;
  /** What the agent says it publishes and consumes (its manifest shows it; it grants nothing). */
  declareContract?(contract: AgentContract): void;
  /** The hub's remote nodes (absent: none). */
  nodes?(): Promise<NodeSummary[]>;
  /** Agents and catalog recipes matching `keyword` ('' for all). */
  capabilities?(keyword: string): Promise<CapabilityInfo[]>;
  /** Present only when the agent was granted network access. */
  fetch?: (request: HostFetchRequest) => Promise<HostFetchResponse>;
  /** Called with the agent's `state` whenever a call leaves it changed (persist it for restarts). */
  saveState(state: Record<string, unknown>): void;
}

export interface SandboxedAgentOptions {
  name: string;
  /** `agent.actorId`: the hub passes the actor's stable id (uuid5 of the name); defaults to `name`. */
  actorId?: string;
  code: string;
  language?: AgentLanguage;
  limits?: Partial<SandboxLimits>;
  host: AgentHost;
  /** `agent.state` at start (what `saveState` last got, after a restart). */
  initialState?: Record<string, unknown>;
  /** Seconds between `process` calls (the original's poll_interval; default 5). The agent may change `agent.interval`. */
  intervalSeconds?: number;
  /** Declared secrets the user approved: `agent.env`. */
  env?: Record<string, string>;
  /**
   * ES modules the code may `import`, by specifier → source (pre-resolved by the hub, e.g. a
   * package the installer bundled). Anything else, and every `node:` builtin, is refused.
   */
  modules?: Record<string, string>;
  /**
   * `shared` (default): the agent's engine shares a sandbox worker with others, in CPU slices.
   * `dedicated`: a worker of its own (capped per hub; shared when none is free) — for an agent whose
   * manifest asks for it.
   */
  isolation?: 'shared' | 'dedicated';
}

/** Where an agent's engine runs: which sandbox worker, shared with other agents or its own. */
export interface SandboxPlacement {
  worker: number;
  kind: 'shared' | 'dedicated';
}

/** What the loaded module exports (after snake_case aliases). */
export interface AgentExports {
  setup: boolean;
  handleTask: boolean;
  process: boolean;
  cleanup: boolean;
}

export type SandboxStatus = 'loaded' | 'running' | 'crashed' | 'terminated';

export interface SandboxedAgent {
  readonly name: string;
  readonly status: SandboxStatus;
  readonly exports: AgentExports;
  /** The last state snapshot the agent reported. */
  readonly state: Record<string, unknown>;
  /** Seconds between process ticks (the agent may have changed it). */
  readonly intervalSeconds: number;
  /** Runs the module's `setup(agent)` (a no-op when it has none). Rejects with a SandboxError. */
  setup(): Promise<void>;
  /** Runs `handleTask(agent, payload)` and resolves with its (JSON) result. */
  handleTask(payload: unknown): Promise<unknown>;
  /** One `process(agent)` call. */
  runProcessTick(): Promise<void>;
  /** Calls `process` in a loop, `agent.interval` seconds apart (failures are logged, the loop goes on). */
  startProcessLoop(): void;
  stopProcessLoop(): void;
  /**
   * Validates `code`, starts it beside the running version with the current state and runs its
   * setup; only then cleans up and drops the old one. On any failure the old version keeps running
   * and this rejects with a SandboxError (`bad_code`, `crash`, `timeout`…).
   */
  hotSwap(code: string, language?: AgentLanguage): Promise<void>;
  /** Runs the module's `cleanup(agent)` if it has one. */
  cleanup(): Promise<void>;
  /** A fresh engine with the current code and last state, then setup (after a crash, or on demand). */
  restart(): Promise<void>;
  /**
   * A fresh engine for this agent alone from its current code and last state (setup runs again if
   * it had run); calls in flight fail with `stopped`. The worker and the agents sharing it are not
   * touched.
   */
  reset(): Promise<void>;
  /** The agent's worker (undefined while it has no engine). */
  readonly placement: SandboxPlacement | undefined;
  /** Drops the engine now; pending calls reject with kind `stopped`. Idempotent. Neighbours are not touched. */
  terminate(): Promise<void>;
  /** Fatal failures (out of memory, engine died, unresponsive): the agent is down until `restart()`. */
  onCrash(listener: (error: SandboxError) => void): () => void;
}
