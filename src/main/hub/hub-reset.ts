/**
 * POST /api/reset `{scope, agent?}` — the original's `wactorz.reset` scopes, mapped onto what this
 * hub keeps. Each scope clears stored data, never a running agent (as the original: "without
 * touching running agents"); the `/ws` clients get a `reset` frame.
 *
 *   chat     the chat log and the LLM conversations (transcript + rolling summary) — of `agent`
 *            (by name), or of everyone
 *   state    what the agent stored with persist() in every tier (forgetActor) — `agent` must be a
 *            running, unprotected actor; without it, every unprotected actor's. Protected actors'
 *            state (main's memory, approvals, the hub's own counters) is never cleared here
 *   metrics  LLM tokens and cost per agent (or every agent and the total: /api/cost, Prometheus);
 *            the spend-limit counters are NOT cleared: only POST /api/cost/reset does that, so a
 *            reset of metrics cannot lift a limit by accident
 *   logs     the `/ws` activity feed and alerts (this hub writes no log files)
 *   spawns   refused (501): clearing the spawn registry under running agents would leave them
 *            running but unmanaged (no code updates, gone after a restart). Delete an agent with
 *            DELETE /api/actors/{name}, which removes its registry entry too
 *   all      chat, state, metrics, logs — spawns are left out, for the reason above
 */
import type { ResetScope } from '../../shared/original-monitor.js';
import type { ActorSystem } from '../core/actor-system.js';
import type { CostTracker } from '../llm/cost-tracker.js';
import type { ChatLog } from '../persistence/stores/chat-log.js';
import { HttpError } from '../server/http-error.js';

export interface HubResetDeps {
  system: ActorSystem;
  costs: CostTracker;
  chatLog: ChatLog;
  /** The `/ws` server (absent without a dashboard port); told after every reset. */
  ws?: () => { reset(scope: string, agent: string | null): void } | undefined;
}

export type ResetOutcome = Record<string, number | string>;

export const SPAWNS_NOT_SUPPORTED =
  'not supported: clearing the spawn registry under running agents would leave them unmanaged — delete an agent with DELETE /api/actors/{name}, which removes its entry';

interface ClearsConversation {
  clearConversation(): Promise<number>;
}
const clearsConversation = (a: unknown): a is ClearsConversation => typeof (a as Partial<ClearsConversation>).clearConversation === 'function';

export class HubReset {
  constructor(private readonly d: HubResetDeps) {}

  async reset(scope: ResetScope, agent: string | undefined): Promise<ResetOutcome> {
    if (scope === 'spawns') throw new HttpError(501, 'scope spawns is not supported', SPAWNS_NOT_SUPPORTED);
    // Validate before clearing anything: a refused `all` clears nothing.
    if ((scope === 'state' || scope === 'all') && agent !== undefined) this.unprotected(agent);
    const out: ResetOutcome = {};
    if (scope === 'chat' || scope === 'all') Object.assign(out, await this.chat(agent));
    if (scope === 'state' || scope === 'all') out.state = await this.state(agent);
    if (scope === 'metrics' || scope === 'all') out.metrics = this.metrics(agent);
    if (scope === 'logs' || scope === 'all') out.logs = agent === undefined ? 'cleared' : 'kept (logs are not per agent)';
    if (scope === 'all') out.spawns = SPAWNS_NOT_SUPPORTED;
    this.d.ws?.()?.reset(scope, agent ?? null);
    return out;
  }

  private async chat(agent: string | undefined): Promise<ResetOutcome> {
    const chatLog = this.d.chatLog.clear(agent);
    const db = this.d.system.persistence.db;
    const names = agent !== undefined ? [agent] : (db.prepare('SELECT DISTINCT agent FROM conversation_history UNION SELECT agent FROM conversation_summaries').pluck().all() as string[]);
    let turns = 0;
    for (const name of names) {
      const live = this.d.system.get(name);
      // A live LLM agent clears its own (it waits for a summary being written); otherwise the rows go.
      if (live && clearsConversation(live)) turns += await live.clearConversation();
      else {
        turns += db.transaction(() => {
          db.prepare('DELETE FROM conversation_summaries WHERE agent = ?').run(name);
          return db.prepare('DELETE FROM conversation_history WHERE agent = ?').run(name).changes;
        })();
      }
    }
    return { chat_log: chatLog, conversation_turns: turns };
  }

  private async state(agent: string | undefined): Promise<number> {
    const targets = agent !== undefined ? [this.unprotected(agent)] : this.d.system.list().filter((a) => !a.isProtected);
    for (const a of targets) await this.d.system.persistence.forgetActor(a.name);
    return targets.length;
  }

  private metrics(agent: string | undefined): number {
    const before = Object.keys(this.d.costs.snapshot().agents).length;
    this.d.costs.reset(agent);
    return agent === undefined ? before : before - Object.keys(this.d.costs.snapshot().agents).length;
  }

  /** The running actor `name`, refused when it is protected or unknown (the original's words). */
  private unprotected(name: string) {
    const a = this.d.system.get(name);
    if (!a) throw new HttpError(404, 'actor not found', `no running actor named "${name}" (state is cleared for running agents only)`);
    if (a.isProtected) throw new HttpError(403, 'actor is protected', `${a.name} is protected: its state is not cleared`);
    return a;
  }
}
