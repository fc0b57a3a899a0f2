/**
 * Approvals (issue 12 item 6): what an LLM or an agent asked beyond the safe default, waiting for
 * a person. Two sources, one rule each:
 * - `system/approvals` (MQTT, through the bus worker and applyUpdate): the pending COUNT, at once
 *   (the event is retained, so a dashboard that opens later knows too), and a `revision` bump —
 *   the bus payload is never what the cards show;
 * - REST (`GET /approvals`, `/grants`, `/approvals/refusals`): the cards, the grants and the
 *   refusals, loaded by the Approvals view on open and again whenever `revision` moves.
 * So a forged or stale bus message can at most make the view refetch; what a person approves is
 * always what the hub answered over REST.
 */
import { create } from 'zustand';
import type { AgentGrant, Approval, Refusal } from '../../../shared/approvals.js';
import type { DashboardUpdate } from '../connection/topic-router.js';

export interface ApprovalsSnapshot {
  approvals: Approval[];
  pending: number;
  grants: AgentGrant[];
  refusals: Refusal[];
}

interface ApprovalsState {
  /** Pending approvals, as the hub last said (REST or the bus). */
  pending: number;
  /** Bumped by every approval event: the view refetches when it moves. */
  revision: number;
  /** Pending approvals (REST), oldest first: the cards. */
  approvals: Approval[];
  grants: AgentGrant[];
  refusals: Refusal[];
  loaded: boolean;
  error: string | null;
  /** Approval ids with a decision in flight (their buttons are disabled). */
  busy: Record<string, boolean>;
  setSnapshot(s: ApprovalsSnapshot): void;
  setError(e: string | null): void;
  setBusy(id: string, busy: boolean): void;
  applyUpdate(u: DashboardUpdate): void;
}

export const useApprovalsStore = create<ApprovalsState>((set) => ({
  pending: 0,
  revision: 0,
  approvals: [],
  grants: [],
  refusals: [],
  loaded: false,
  error: null,
  busy: {},
  setSnapshot(s) {
    const approvals = s.approvals.filter((a) => a.state === 'pending').sort((a, b) => a.created_at - b.created_at);
    set({ approvals, pending: s.pending, grants: s.grants, refusals: s.refusals, loaded: true, error: null });
  },
  setError(error) {
    set({ error });
  },
  setBusy(id, busy) {
    set((st) => {
      const next = { ...st.busy };
      if (busy) next[id] = true;
      else delete next[id];
      return { busy: next };
    });
  },
  applyUpdate(u) {
    if (u.approvals.length === 0) return;
    const last = u.approvals[u.approvals.length - 1]!;
    set((st) => ({ pending: last.pending, revision: st.revision + 1 }));
  },
}));

/** Grants a person should look at: flagged at upgrade, or holding something revocable. */
export function grantsToShow(grants: readonly AgentGrant[]): AgentGrant[] {
  return grants.filter((g) => g.review || g.revocable.length > 0).sort((a, b) => Number(b.review) - Number(a.review) || a.agent.localeCompare(b.agent));
}
