/**
 * The hub side of one DynamicAgent's capability object (the sandbox's `AgentHost`): every call its
 * code makes lands here, already argument-checked by the sandbox's bridge, and is scoped here:
 * - persist/recall under the agent's own name (no other agent's state is reachable);
 * - publish refuses wildcards, `$…` topics, other agents' `agents/{id}/…` topics and its own
 *   `commands` (an agent cannot stop or impersonate another); its own namespace is `agents/{id}/…`
 *   and `agents/{name}/…` (world state is published by name, as the original does);
 * - the dashboard-only topics (the graph, the feed, `system/restore`: shared/topics.ts
 *   isDashboardOnlyTopic) are neither publishable nor subscribable, and a wildcard subscription
 *   never delivers them;
 * - `fetch` exists only when the agent was granted the `fetch` capability, speaks http(s) only,
 *   caps the body, and reaches only public addresses (this machine and private networks with
 *   `fetch_local`; metadata services never) — net/safe-fetch.ts;
 * - `llm` calls are billed to the agent and refused once its billed total reaches its budget
 *   (`llm_budget_usd`, set by approvals); `env` is handled by the sandbox (only declared names);
 * - the original's discovery calls (nodes, capabilities, declareContract) are agent-directory.ts's;
 *   the rest of the original's API (publish_result, world state, send_to_many…) is built in the
 *   sandbox on publish / mqttGet / sendTo, so these checks cover it.
 */
import type { AgentInfo, AlertSeverity, ChatMessage as ApiChatMessage, LlmChatOptions, LogLevel, TopicInfo } from '../../../shared/agent-api.js';
import { isDashboardOnlyTopic, topicMatches } from '../../../shared/topics.js';
import type { Actor } from '../../core/actor.js';
import type { ActorSystem } from '../../core/actor-system.js';
import { encodePayload } from '../../core/bus.js';
import { AskError } from '../../core/errors.js';
import { assertPublishTopic, assertTopicFilter } from '../../broker/topic-validation.js';
import type { CostTracker } from '../../llm/cost-tracker.js';
import type { ChatMessage, LlmProvider } from '../../llm/provider.js';
import { withCostTracking } from '../../llm/tracked-provider.js';
import { LOCAL_FETCH_CAPABILITY } from '../../net/fetch-target.js';
import { safeFetch } from '../../net/safe-fetch.js';
import type { AgentHost } from './sandbox/index.js';
import type { StateSaver } from './state-saver.js';
import { decode, type TopicObserver } from './topic-observer.js';
import { directoryHost, type AgentDirectory } from './agent-directory.js';
import type { AgentContract } from '../../../shared/agent-api.js';

/** Capabilities that grant `agent.fetch`. */
export const FETCH_CAPABILITIES = ['fetch', 'http', 'network'] as const;
/** Additionally lets `agent.fetch` reach this machine and private networks (see net/fetch-target.ts). */
export { LOCAL_FETCH_CAPABILITY };

export interface AgentHostDeps {
  system: ActorSystem;
  observer: TopicObserver;
  /** The raw provider; calls are billed to the agent. */
  llm: LlmProvider;
  costs: CostTracker;
  /** Test seam. */
  fetchImpl?: typeof fetch;
  /** Nodes and catalog recipes for `agent.nodes()` / `agent.capabilities()`. */
  directory?: AgentDirectory;
}

export interface AgentHostScope {
  /** The actor the code belongs to (its name and id; it need not be spawned yet). */
  actor: Actor;
  capabilities: readonly string[];
  state: StateSaver;
  /** Its LLM calls may cost this much in total (USD); past it `agent.llm` refuses. Absent: no budget. */
  llmBudgetUsd?: number;
  /** Receives what `agent.declareContract` says (for the actor's manifest). */
  declareContract?(contract: AgentContract): void;
}

export interface AgentHostHandle {
  host: AgentHost;
  /** Ends subscriptions and waits still pending (a safety net: the sandbox drops its own). */
  close(): void;
}

export function createAgentHost(deps: AgentHostDeps, scope: AgentHostScope): AgentHostHandle {
  const { system, observer } = deps;
  const { actor } = scope;
  const subscriptions = new Set<() => void>();
  const llm = withCostTracking(deps.llm, deps.costs, actor.name);
  const withinBudget = (): void => {
    const budget = scope.llmBudgetUsd;
    if (budget === undefined) return;
    const spent = deps.costs.forAgent(actor.name).costUsd;
    if (spent >= budget) throw new Error(`agent.llm: ${actor.name} has spent its LLM budget ($${spent.toFixed(4)} of $${budget}); a person can raise llm_budget_usd`);
  };
  const granted = new Set(scope.capabilities.map((c) => c.toLowerCase()));
  const canFetch = FETCH_CAPABILITIES.some((c) => granted.has(c));
  let closed = false;

  const subscribe = (pattern: string, handler: (topic: string, payload: unknown) => void): (() => void) => {
    assertTopicFilter(pattern);
    if (isDashboardOnlyTopic(pattern)) throw new Error(`agents may not subscribe to ${pattern} (the hub's and the dashboard's only)`);
    checkSubscribeFilter(pattern);
    if (closed) throw new Error('the agent is stopping');
    // A wildcard (`#`, `+/approvals`) never hands the hub's system topics (approvals, the graph,
    // the activity feed, restore progress, health) to agent code.
    const off = system.bus.subscribe(pattern, (topic, payload) => {
      if (!isSystemTopic(topic) && !isDashboardOnlyTopic(topic)) handler(topic, decode(payload));
    });
    const release = system.traffic.subscribed(actor.name, pattern);
    const unsubscribe = (): void => {
      if (subscriptions.delete(unsubscribe)) {
        off();
        release();
      }
    };
    subscriptions.add(unsubscribe);
    return unsubscribe;
  };

  const host: AgentHost = {
    log(level: LogLevel, message: string) {
      system.telemetry.log(actor, level, message);
    },
    alert(message: string, severity: AlertSeverity) {
      system.telemetry.alert(actor, message, severity);
    },
    publish(topic, payload, opts) {
      checkPublishTopic(topic, actor.actorId, actor.name);
      // Retained bytes and publish rate (broker/publish-limits.ts): a refusal is the agent's error.
      const bytes = encodePayload(payload);
      const why = system.bus.publishGate?.admit(`agent ${actor.name}`, topic, bytes.length, opts?.retain ?? false);
      if (why) throw new Error(`agent.publish: ${why}`);
      system.traffic.published(actor, topic);
      system.bus.publish(topic, bytes, opts);
    },
    subscribe,
    async sendTo(name, payload, timeoutMs) {
      try {
        return await system.ask(name, payload, timeoutMs, actor.name);
      } catch (e) {
        if (e instanceof AskError) throw Object.assign(new Error(`${name}: ${e.payload.error}`), { kind: e.kind });
        throw e;
      }
    },
    mqttGet(topic, timeoutMs) {
      return new Promise((resolve, reject) => {
        let off: (() => void) | undefined;
        const timer = setTimeout(() => {
          off?.();
          resolve(null);
        }, timeoutMs);
        try {
          off = subscribe(topic, (_t, payload) => {
            clearTimeout(timer);
            off?.();
            resolve(payload);
          });
        } catch (e) {
          clearTimeout(timer);
          reject(e as Error);
        }
      });
    },
    async window(topic, seconds) {
      assertTopicFilter(topic);
      return observer.window(topic, seconds).filter((m) => !isDashboardOnlyTopic(m.topic));
    },
    persist: (key, value) => system.persistence.persist(actor.name, key, value),
    recall: (key) => system.persistence.recall(actor.name, key),
    llm: {
      async chat(messages: ApiChatMessage[], options: LlmChatOptions) {
        const system = [options.system, ...messages.filter((m) => m.role === 'system').map((m) => m.content)].filter(Boolean).join('\n\n');
        const turns = messages.filter((m): m is ChatMessage => m.role !== 'system');
        if (turns.length === 0) throw new Error('agent.llm.chat: give at least one user message');
        withinBudget();
        const res = await llm.complete(turns, system || undefined, callOptions(options));
        return res.text;
      },
      async complete(prompt: string, systemPrompt?: string) {
        withinBudget();
        return (await llm.complete([{ role: 'user', content: prompt }], systemPrompt)).text;
      },
    },
    async agents(): Promise<AgentInfo[]> {
      return system.list().map((a) => ({
        name: a.name,
        actor_id: a.actorId,
        state: a.state,
        kind: a.kind,
        protected: a.isProtected,
        ...(a.description ? { description: a.description } : {}),
        ...(a.capabilities.length ? { capabilities: [...a.capabilities] } : {}),
      }));
    },
    async topics(): Promise<TopicInfo[]> {
      const actors = system.list();
      return observer
        .topics((topic) => actors.filter((a) => a.publishes.some((p) => topicMatches(p.replace('{id}', a.actorId), topic))).map((a) => a.name))
        .filter((t) => !isDashboardOnlyTopic(t.topic));
    },
    saveState: (state) => scope.state.save(state),
    ...directoryHost(system, deps.directory, scope.declareContract),
  };
  // Vetted, pinned to the vetted address, redirects re-checked (net/safe-fetch.ts).
  if (canFetch) host.fetch = (request) => safeFetch(request, { allowLocal: granted.has(LOCAL_FETCH_CAPABILITY), ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}) });

  return {
    host,
    close() {
      closed = true;
      for (const off of [...subscriptions]) off();
    },
  };
}

function callOptions(o: LlmChatOptions): { maxTokens?: number; temperature?: number } {
  return { ...(o.maxTokens !== undefined ? { maxTokens: o.maxTokens } : {}), ...(o.temperature !== undefined ? { temperature: o.temperature } : {}) };
}

/** `system/…` (approvals, health: the hub's voice to the dashboard and tray) is never agent code's to read or write. */
export function isSystemTopic(topic: string): boolean {
  return topic === 'system' || topic.startsWith('system/');
}

/** Filters an agent may subscribe to: not the hub's system topics by name (wildcards are filtered on delivery). */
export function checkSubscribeFilter(filter: string): void {
  if (isSystemTopic(filter)) throw new Error(`agents may not subscribe to ${filter} (the hub's system topics)`);
}

/** An actor id's shape (uuid): never accepted as an agent's name in its own namespace. */
const ACTOR_ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Topics an agent may publish to (see the file comment). */
export function checkPublishTopic(topic: string, ownActorId: string, ownName?: string): void {
  assertPublishTopic(topic);
  if (topic.startsWith('$')) throw new Error(`agents may not publish on ${topic} (broker topics)`);
  // io/chat is the user's voice to main: an agent speaking there could make main's LLM spawn agents for it.
  if (topic === 'io/chat') throw new Error('agents may not publish on io/chat (the user\'s chat with main)');
  // The graph, the activity feed and the restore progress are the hub's word to the dashboard: an agent cannot forge them.
  if (isDashboardOnlyTopic(topic)) throw new Error(`agents may not publish on ${topic} (the hub's word to the dashboard)`);
  // system/… is the hub's voice to the dashboard and the tray (health, approvals).
  if (isSystemTopic(topic)) throw new Error(`agents may not publish on ${topic} (the hub's system topics)`);
  const [root, id, kind] = topic.split('/');
  if (root !== 'agents' || id === 'by-name') return;
  // By name too (world state is published by name), unless the name has the shape of an actor id:
  // an agent named after another agent's id would otherwise write in that agent's namespace.
  const byName = id !== undefined && id === ownName && !ACTOR_ID_SHAPE.test(id);
  if (id !== ownActorId && !byName) throw new Error(`agents may not publish on another agent's topics (${topic})`);
  if (kind === 'commands') throw new Error(`agents may not publish commands, not even to themselves (${topic})`);
}
