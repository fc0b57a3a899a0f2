/**
 * The original monitor's remaining routes over this hub (server/original/monitor-routes.ts): the
 * cost totals with the spend limit beside them, an agent's conversation from its LLM history
 * (`conversation_history`, the table LLM agents keep their turns in), the chat log main writes,
 * and POST /reset (hub-reset.ts). Built by the composition root; routes stay thin.
 */
import type { HistoryTurn } from '../../shared/original-monitor.js';
import type { ActorSystem } from '../core/actor-system.js';
import type { CostTracker } from '../llm/cost-tracker.js';
import type { SpendLimit } from '../llm/spend-limit.js';
import type { ChatLog } from '../persistence/stores/chat-log.js';
import type { OriginalMonitorApi } from '../server/original/monitor-routes.js';
import { HubReset, type HubResetDeps } from './hub-reset.js';
import { costTotals } from './llm-routes.js';

export interface OriginalMonitorDeps {
  system: ActorSystem;
  costs: CostTracker;
  spend: SpendLimit;
  chatLog: ChatLog;
  llmSummary: () => string;
  ws?: HubResetDeps['ws'];
}

/** The newest turns /actors/{id}/history returns (the original returned the whole list; ours is not trimmed). */
export const HISTORY_MAX_TURNS = 1000;

export function createOriginalMonitorApi(d: OriginalMonitorDeps): OriginalMonitorApi {
  const reset = new HubReset({ system: d.system, costs: d.costs, chatLog: d.chatLog, ...(d.ws ? { ws: d.ws } : {}) });
  const turns = d.system.persistence.db.prepare(
    `SELECT role, content, ts FROM conversation_history WHERE agent = ? AND role IN ('user', 'assistant') ORDER BY id DESC LIMIT ${HISTORY_MAX_TURNS}`,
  );
  return {
    cost: () => costTotals(d.costs.snapshot(), d.llmSummary(), d.spend.info()),
    spend: d.spend,
    // The original's dashboard asks by name; an id works too. A deleted agent's turns are still there.
    history: (idOrName) => (turns.all(d.system.get(idOrName)?.name ?? idOrName) as HistoryTurn[]).reverse(),
    chats: (q) => d.chatLog.query(q),
    reset: (scope, agent) => reset.reset(scope, agent),
  };
}
