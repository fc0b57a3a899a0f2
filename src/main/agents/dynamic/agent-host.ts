/**
 * The hub side of one DynamicAgent's capability object (the sandbox's `AgentHost`): every call its
 * code makes lands here, already argument-checked by the sandbox's bridge, and is scoped here —
 * the same code on the hub and on remote nodes:
 * - persist/recall under the agent's own name (no other agent's state is reachable);
 * - publish, subscribe, mqttGet, window and sendTo are checked against the agent's grant
 *   (agent-permissions.ts → grants/topic-rules.ts): its own namespace, declared topics, never the
 *   system namespaces; retained only where allowed; a wildcard subscription delivers only what the
 *   agent may read. Any agent API built on these methods is covered. Publish and subscribe are
 *   fire-and-forget in the sandbox: their refusal is a line in the agent's log (and the hub's);
 *   the others reject with the reason;
 * - publish passes the bus's publish gate (retained bytes, per-agent rate: broker/publish-limits.ts);
 * - `fetch` only with the `fetch` grant, http(s) only, capped, public addresses only (this machine
 *   and private networks with `fetch_local`; metadata services never) — net/safe-fetch.ts;
 * - `llm` calls are billed to the agent and refused once its billed total reaches its budget
 *   (`llm_budget_usd`, set by approvals); `env` is handled by the sandbox (only declared names);
 * - the original's discovery calls (nodes, capabilities, declareContract) are agent-directory.ts's;
 *   the rest of the original's API (publish_result, world state, send_to_many, the LLM shims…) is built in the
 *   sandbox on publish / mqttGet / sendTo / llm, so these checks cover it.
 */
import type { AgentInfo, AlertSeverity, ChatMessage as ApiChatMessage, LlmChatOptions, LogLevel, TopicInfo } from '../../../shared/agent-api.js';
import { topicMatches } from '../../../shared/topics.js';
import type { Actor } from '../../core/actor.js';
import type { ActorSystem } from '../../core/actor-system.js';
import { encodePayload } from '../../core/bus.js';
import { AskError } from '../../core/errors.js';
import { assertTopicFilter } from '../../broker/topic-validation.js';
import type { CostTracker } from '../../llm/cost-tracker.js';
import type { ChatMessage, LlmProvider } from '../../llm/provider.js';
import { withCostTracking } from '../../llm/tracked-provider.js';
import { LOCAL_FETCH_CAPABILITY } from '../../net/fetch-target.js';
import { safeFetch } from '../../net/safe-fetch.js';
import type { Logger } from '../../base/logger.js';
import type { AgentHost } from './sandbox/index.js';
import type { StateSaver } from './state-saver.js';
import { decode, type TopicObserver } from './topic-observer.js';
import { FETCH_CAPABILITIES, PermissionError, type AgentPermissions, type RefusalSink } from './agent-permissions.js';
import { directoryHost, type AgentDirectory } from './agent-directory.js';
import type { AgentContract } from '../../../shared/agent-api.js';

/** Capabilities that grant `agent.fetch`. */
export { FETCH_CAPABILITIES };
/** Additionally lets `agent.fetch` reach this machine and private networks (see net/fetch-target.ts). */
export { LOCAL_FETCH_CAPABILITY };

export interface AgentHostDeps {
  system: ActorSystem;
  observer: TopicObserver;
  /** The raw provider; calls are billed to the agent. */
  llm: LlmProvider;
  costs: CostTracker;
  /** The node these agents run on (absent: the hub), said with refusals. */
  node?: string;
  /** The hub's (or node's) log: refusals are said there too. */
  log?: Logger;
  /** Where refusals are recorded for audit (the hub: approvals' refusal log). */
  refusals?: RefusalSink;
  /** Test seam. */
  fetchImpl?: typeof fetch;
  /** Nodes and catalog recipes for `agent.nodes()` / `agent.capabilities()`. */
  directory?: AgentDirectory;
}

export interface AgentHostScope {
  /** The actor the code belongs to (its name and id; it need not be spawned yet). */
  actor: Actor;
  /** Its grant, checked on every call. */
  permissions: AgentPermissions;
  state: StateSaver;
  /** Whether an actor runs agent code (a DynamicAgent): `sendTo` by declaration; others need a person's grant. */
  isCodeAgent: (a: Actor) => boolean;
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
  const { actor, permissions } = scope;
  const subscriptions = new Set<() => void>();
  const llm = withCostTracking(deps.llm, deps.costs, actor.name);
  const withinBudget = (): void => {
    const budget = scope.llmBudgetUsd;
    if (budget === undefined) return;
    const spent = deps.costs.forAgent(actor.name).costUsd;
    if (spent >= budget) throw new Error(`agent.llm: ${actor.name} has spent its LLM budget ($${spent.toFixed(4)} of $${budget}); a person can raise llm_budget_usd`);
  };
  let closed = false;

  const subscribe = (pattern: string, handler: (topic: string, payload: unknown) => void, what = 'subscribe'): (() => void) => {
    assertTopicFilter(pattern);
    if (closed) throw new Error('the agent is stopping');
    permissions.checkSubscribe(pattern, what);
    // Per message: a wildcard (`agents/+/data/#`) may match topics the agent may not read.
    const off = system.bus.subscribe(pattern, (topic, payload) => {
      if (permissions.readable(topic)) handler(topic, decode(payload));
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
      try {
        permissions.checkPublish(topic, opts?.retain ?? false);
      } catch (e) {
        if (e instanceof PermissionError) return; // recorded and logged (agent and hub) by the check
        throw e;
      }
      // Retained bytes and publish rate (broker/publish-limits.ts): a refusal is the agent's error.
      const bytes = encodePayload(payload);
      const why = system.bus.publishGate?.admit(`agent ${actor.name}`, topic, bytes.length, opts?.retain ?? false);
      if (why) throw new Error(`agent.publish: ${why}`);
      system.traffic.published(actor, topic);
      system.bus.publish(topic, bytes, opts);
    },
    subscribe: (pattern, handler) => subscribe(pattern, handler),
    async sendTo(name, payload, timeoutMs) {
      permissions.checkSendTo(name, scope.isCodeAgent);
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
          off = subscribe(
            topic,
            (_t, payload) => {
              clearTimeout(timer);
              off?.();
              resolve(payload);
            },
            'mqttGet',
          );
        } catch (e) {
          clearTimeout(timer);
          reject(e as Error);
        }
      });
    },
    async window(topic, seconds) {
      assertTopicFilter(topic);
      permissions.checkSubscribe(topic, 'window');
      return observer.window(topic, seconds).filter((s) => permissions.readable(s.topic));
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
      return observer.topics((topic) => actors.filter((a) => a.publishes.some((p) => topicMatches(p.replace('{id}', a.actorId), topic))).map((a) => a.name)).filter((t) => permissions.readable(t.topic));
    },
    saveState: (state) => scope.state.save(state),
    ...directoryHost(system, deps.directory, scope.declareContract),
  };
  // Vetted, pinned to the vetted address, redirects re-checked (net/safe-fetch.ts); a refusal is recorded like the bus's.
  host.fetch = async (request) => {
    const granted = permissions.fetchGrant();
    if (!granted.fetch) permissions.refuse('fetch', request.url, 'network access is not granted to this agent: declare the `fetch` capability in its manifest and have it approved');
    return safeFetch(request, { allowLocal: granted.local, ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}) });
  };

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
