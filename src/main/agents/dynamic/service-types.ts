/** The DynamicAgent service's options, inputs and answers (see dynamic-agent-service.ts). */
import type { SpawnTypes } from '../../integration/spawn-types.js';
import type { ActorSystem } from '../../core/actor-system.js';
import type { SupervisionOptions } from '../../core/supervisor.js';
import type { CostTracker } from '../../llm/cost-tracker.js';
import type { LlmProvider } from '../../llm/provider.js';
import type { Logger } from '../../base/logger.js';
import type { AgentSummary } from '../../../shared/rest.js';
import type { RestoreProgress } from '../../../shared/mqtt-payloads.js';
import type { AgentExports, AgentLanguage, CodeDiagnostic, SandboxLimits } from './sandbox/index.js';
import type { StoredConfig } from './agent-config.js';
import type { TopicObserverOptions } from './topic-observer.js';
import type { AgentDirectory } from './agent-directory.js';
import type { AgentEnvSecrets } from '../../secrets/agent-env.js';
import type { SpawnGate } from '../../approvals/approval-types.js';
import type { Asker } from '../../../shared/approvals.js';
import type { RefusalSink } from './agent-permissions.js';

/**
 * A code agent's spec in the original's snake_case: what a `<spawn>` block and a node's spawn
 * command have in common. Limits and supervision (`memory_mb`, `max_restarts`…) ride inside
 * `config`; `env` names secrets (values come from where the agent runs). spec-mapping.ts maps it.
 */
export interface CodeSpec {
  name: string;
  code?: string | undefined;
  language?: AgentLanguage | undefined;
  /** dynamic (default) or manual. */
  type?: string | undefined;
  description?: string | undefined;
  capabilities?: readonly string[] | undefined;
  publishes?: readonly string[] | undefined;
  /** Topics it subscribes to (its grant: see src/main/grants). */
  subscribes?: readonly string[] | undefined;
  /** Agents it asks with `sendTo`. */
  send_to?: readonly string[] | undefined;
  /** Where it may publish retained messages beyond its own namespace (given by a person, or by the hub to a node). */
  retained?: readonly string[] | undefined;
  /** Hub actors it may ask with `sendTo` (what a person granted: a node's spec carries the hub's decision). */
  hub_actors?: readonly string[] | undefined;
  input_schema?: unknown;
  output_schema?: unknown;
  poll_interval?: number | undefined;
  env?: readonly string[] | undefined;
  config?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * A code agent for another machine: its spec plus `node` — what the DynamicAgent service hands the
 * node registry, and what `POST /nodes/:node/agents` and tests give it directly. Validated by the
 * node registry against the node protocol's spec (nodes run code agents only).
 */
export interface RemoteSpawnRequest extends Omit<CodeSpec, 'code' | 'language'> {
  node: string;
  code: string;
  language?: AgentLanguage | 'js' | 'ts' | undefined;
  replace?: boolean | undefined;
  /** Initial state (`agent.state`), e.g. when it moves in from another node. */
  state?: Record<string, unknown> | undefined;
}

/**
 * The fleet, as far as DynamicAgents go (src/main/nodes' NodeRegistry implements it): code agents
 * with a `node` are placed there; it records them in the spawn registry (with `node`) and brings
 * them back on its own. Its errors carry `kind` (bad_input, conflict, not_found, unavailable).
 * Tasks to them need nothing from here: the actor system reaches them (core/remote-actors.ts).
 */
export interface RemoteNodes {
  spawnOnNode(input: RemoteSpawnRequest, opts?: { source?: string }): Promise<{ ok: boolean; status: string; message: string; version?: number }>;
  removeFromNode(name: string): Promise<{ ok: boolean; message: string }>;
}

export interface DynamicAgentServiceOptions {
  system: ActorSystem;
  /** The raw provider (each agent's calls are billed to it). */
  llm: LlmProvider;
  costs: CostTracker;
  /**
   * The spawn types (integration/spawn-types.ts) to spawn from: the host's registry, where other
   * integrations add theirs (Home Assistant: ha_actuator). The service registers its own — dynamic,
   * manual, llm — in it. Default: a registry of its own.
   */
  spawnTypes?: SpawnTypes;
  /** Default limits per agent (an agent's config may override them). */
  limits?: Partial<SandboxLimits>;
  /** Default restart policy of code agents. */
  supervision?: SupervisionOptions;
  /** Values a person gave for `agent.env` (REST, recipes), kept in the secret store. Default: memory only. */
  agentEnv?: AgentEnvSecrets;
  /** Values of declared secrets (`agent.env`). Default: `WACTORZ_SECRET_<NAME>` from the environment. */
  secrets?: (name: string) => string | undefined;
  log?: Logger;
  fetchImpl?: typeof fetch;
  observer?: TopicObserverOptions;
  /** How long `restore()` waits for the registered agents to start (default 10 s). */
  restoreWaitMs?: number;
  /** Agents starting at once while restoring (default 256; restore-queue.ts says why). */
  restoreConcurrency?: number;
  /** Where restore progress goes besides `restoreProgress()` (the hub: the retained `system/restore`); called at most every `restoreProgressMs` and at the end. */
  onRestoreProgress?: (progress: RestoreProgress) => void;
  /** Least time between two `onRestoreProgress` calls while restoring, ms (default 250). */
  restoreProgressMs?: number;
  /**
   * Installed npm packages as sources the sandbox can import (`{name: source}`), for the packages
   * an agent declares (`install`); e.g. the installer's `modulesFor(packagesDir, specs)`. Without
   * it an agent that imports a package is refused by the check.
   */
  resolveModules?: (packages: readonly string[]) => Promise<Record<string, string>>;
  /** Remote nodes; without them a spawn with a `node` other than this hub is refused. */
  nodes?: RemoteNodes;
  /** The node these agents run on (a node's service): said with refusals. */
  node?: string;
  /** Where bus refusals of agent code are recorded for audit (the hub: approvals' refusal log). */
  refusals?: RefusalSink;
  /**
   * Approvals (src/main/approvals): consulted before every spawn — caps, limits clamped, and what an
   * LLM or agent asked beyond the safe default left pending for a person. Without it (a node, a
   * test) every spawn is granted as asked.
   */
  gate?: SpawnGate;
  /** What `agent.nodes()` and `agent.capabilities()` list beyond the local actors (the fleet, catalog recipes). */
  directory?: AgentDirectory;
}

/** Code agents crash for reasons a restart rarely fixes: give up sooner than core actors do. */
export const DEFAULT_DYNAMIC_SUPERVISION: SupervisionOptions = { strategy: 'ONE_FOR_ONE', maxRestarts: 3, windowMs: 60_000, restartDelayMs: 1_000, backoffFactor: 2 };

export type CodeAgentKind = 'dynamic' | 'manual' | 'catalog';

export interface CreateAgentInput {
  name: string;
  code: string;
  language?: AgentLanguage;
  kind?: CodeAgentKind;
  description?: string;
  capabilities?: string[];
  publishes?: string[];
  /** Topics it subscribes to (declared; granted by the hub — see src/main/grants). */
  subscribes?: string[];
  /** Agents it asks with `sendTo` (core and Home Assistant actors need a person's grant). */
  sendTo?: string[];
  /** Topics a person set in its config: retained publishes allowed there. */
  retained?: string[];
  /** Hub actors (core, Home Assistant) it asks with `sendTo`: asked of approvals; worked out from `sendTo` when absent. */
  hubActors?: string[];
  inputSchema?: unknown;
  outputSchema?: unknown;
  /** Limits, supervision and poll interval (snake_case keys, see agent-config.ts) merged into the stored config. */
  tuning?: Partial<Pick<StoredConfig, 'memory_mb' | 'call_timeout_ms' | 'poll_interval' | 'max_restarts' | 'restart_delay_ms' | 'isolation' | 'llm_budget_usd'>>;
  /** Secret values for `agent.env` (given by the user). */
  env?: Record<string, string>;
  /** Secret names the agent declares (values from the hub's secrets). */
  envNames?: string[];
  /** The agent's own configuration (`agent.state.config`). */
  config?: Record<string, unknown>;
  install?: string[];
  /** Replace an agent of that name instead of answering 409 (its state is kept). */
  replace?: boolean;
  /** Another machine's node to run it on ('' or absent: this hub). */
  node?: string;
  /** Who asks: rest, llm, writer, catalog, planner… (stored). */
  source?: string;
  /** Who asks, for approvals: a person gets what they ask; an LLM or agent the safe default. Default: a person (REST). */
  asker?: Asker;
}

export interface DeployResult {
  name: string;
  id: string;
  kind: string;
  version: number;
  language: AgentLanguage;
  state: string;
  exports: AgentExports;
  /** Warnings of the static check (errors refuse the code). */
  diagnostics: CodeDiagnostic[];
  /** The code was the current version already: nothing changed. */
  unchanged?: boolean;
  /** The node it runs on (remote agents only). */
  node?: string;
  /** What happened, in a sentence (remote agents: running, or queued until the node answers). */
  message?: string;
  /** What it asked that waits for a person (it runs with the safe default meanwhile). */
  approval?: PendingApproval;
}

/** An agent's pending approval, as spawn answers mention it. */
export interface PendingApproval {
  id: string;
  /** Item keys: fetch_local, env:NAME, memory_mb… */
  pending: string[];
  /** The agent is not running until it is approved. */
  waiting: boolean;
  /** One sentence for the user (what waits, how to approve it). */
  message: string;
}

export interface AgentDescription extends Partial<AgentSummary> {
  name: string;
  /** Whether the spawn registry knows it (it comes back after a restart). */
  registered: boolean;
  spec: {
    type: string;
    language: string | null;
    version: number;
    description: string;
    capabilities: string[];
    publishes: string[];
    subscribes: string[];
    send_to: string[];
    input_schema: unknown;
    output_schema: unknown;
    poll_interval: number | null;
    node: string;
    created_at: number;
    updated_at: number;
    versions: number;
    config: Record<string, unknown>;
  } | null;
}

export interface SpawnReport {
  ok: boolean;
  name: string;
  type: string;
  /** One sentence for the user: what was spawned and what it does, or why not. */
  message: string;
  version?: number;
  /** Why it was not spawned (a DynamicAgentError kind: bad_code, conflict, rate_limited, too_many_agents…). */
  kind?: string;
  /** What waits for a person's approval. */
  approval?: PendingApproval;
}
