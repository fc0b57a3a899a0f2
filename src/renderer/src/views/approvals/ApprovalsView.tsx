/**
 * Approvals: a card per pending request — which agent, who asked (an LLM's `<spawn>` block, the
 * agent writer, the planner, an agent through the catalog), why in the asker's words, and each
 * item with what it lets the agent do (limits: what it gets, what was asked, what it runs with
 * meanwhile). A person approves or denies all items or the ticked ones. Below: grants to review
 * (agents that existed at the upgrade, and anything revocable) and recent refusals, for audit.
 * Everything shown comes from REST; `system/approvals` only says when to load again.
 */
import { useCallback, useEffect, useState } from 'react';
import { type AgentGrant, type Approval, type ApprovalItem } from '../../../../shared/approvals.js';
import { hub } from '../../connection/index.js';
import { useNow } from '../../hooks/useNow.js';
import { clockTime, relativeTime } from '../../lib/relative-time.js';
import { grantsToShow, useApprovalsStore } from '../../stores/approvals-store.js';

async function load(): Promise<void> {
  const st = useApprovalsStore.getState();
  try {
    const [list, grants, refusals] = await Promise.all([hub.rest.approvals(), hub.rest.grants(), hub.rest.refusals(30)]);
    st.setSnapshot({ approvals: list.approvals, pending: list.pending, grants, refusals });
  } catch (e) {
    st.setError((e as Error).message);
  }
}

function askerText(a: Approval): string {
  const who = a.asked_by;
  if (who.kind === 'person') return `a person (${who.via})`;
  if (who.kind === 'llm') return `${who.name}'s LLM (${who.via.replace(/_/g, ' ')})`;
  return `agent ${who.name} (through the ${who.via})`;
}

function itemValue(i: ApprovalItem): string | null {
  if (i.kind !== 'limit') return null;
  const asked = i.asked !== undefined && i.asked !== i.value ? `, asked ${i.asked} (above the hub's maximum)` : '';
  const meanwhile = i.meanwhile !== undefined ? `; meanwhile ${i.meanwhile}` : '';
  return `${i.value ?? ''}${asked}${meanwhile}`;
}

function ApprovalCard({ a, now }: { a: Approval; now: number }) {
  const busy = useApprovalsStore((s) => Boolean(s.busy[a.id]));
  const [picked, setPicked] = useState<string[]>([]);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const pending = a.items.filter((i) => i.state === 'pending');

  const decide = async (decision: 'approve' | 'deny') => {
    const st = useApprovalsStore.getState();
    st.setBusy(a.id, true);
    try {
      const r = await hub.rest.decideApproval(a.id, decision, picked);
      setResult({ ok: true, text: r.message });
      setPicked([]);
      await load();
    } catch (e) {
      setResult({ ok: false, text: (e as Error).message });
    } finally {
      st.setBusy(a.id, false);
    }
  };
  const toggle = (key: string) => setPicked((p) => (p.includes(key) ? p.filter((k) => k !== key) : [...p, key]));
  const scope = picked.length ? `${picked.length} ticked` : 'all';

  return (
    <section className="card approval" data-testid="approval-card" data-approval={a.id} data-agent={a.agent}>
      <div className="row">
        <h2 className="grow">
          <a href={`#/agents/${encodeURIComponent(a.agent)}`} className="mono">
            {a.agent}
          </a>{' '}
          <span className="small muted">({a.agent_kind})</span>
        </h2>
        <span className="small muted mono" title={clockTime(a.created_at)}>
          {a.id} · {relativeTime(a.created_at, now)}
        </span>
      </div>
      <div className="small" data-testid="approval-asker">
        Asked by <b>{askerText(a)}</b>
        {a.waiting ? <b className="err-text"> · not running until approved</b> : <span className="muted"> · running with the safe default meanwhile</span>}
      </div>
      {a.reason ? (
        <blockquote className="approval-reason" data-testid="approval-reason">
          {a.reason}
        </blockquote>
      ) : null}
      <ul className="approval-items">
        {a.items.map((i) => (
          <li key={i.key} data-testid="approval-item" data-key={i.key} data-state={i.state}>
            <label>
              {i.state === 'pending' ? <input type="checkbox" checked={picked.includes(i.key)} onChange={() => toggle(i.key)} disabled={busy} /> : null}
              <span className="mono">{i.key}</span> — {i.label}
              {itemValue(i) ? <span className="small muted"> ({itemValue(i)})</span> : null}
              {i.state !== 'pending' ? <span className={`state ${i.state === 'approved' ? 'ok' : 'failed'}`}> {i.state}</span> : null}
            </label>
          </li>
        ))}
      </ul>
      <div className="row">
        <button type="button" className="btn primary" disabled={busy || pending.length === 0} onClick={() => void decide('approve')} data-testid="approval-approve">
          Approve {scope}
        </button>
        <button type="button" className="btn danger" disabled={busy || pending.length === 0} onClick={() => void decide('deny')} data-testid="approval-deny">
          Deny {scope}
        </button>
        <span className="grow" />
        <span className="small muted">
          In chat: <code>/approve {a.id}</code> · <code>/deny {a.id}</code>
        </span>
      </div>
      {result ? (
        <div className={result.ok ? 'small' : 'error-box'} data-testid="approval-result">
          {result.text}
        </div>
      ) : null}
    </section>
  );
}

function GrantRow({ g }: { g: AgentGrant }) {
  const [error, setError] = useState<string | null>(null);
  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      setError(null);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="grant-row" data-testid="grant-row" data-agent={g.agent}>
      <a href={`#/agents/${encodeURIComponent(g.agent)}`} className="mono">
        {g.agent}
      </a>
      <span className="small muted">{g.source}</span>
      {g.review ? <span className="sev-pill warning">kept at upgrade — review</span> : null}
      <span className="grow small">
        {g.revocable.length ? g.revocable.join(', ') : 'the safe default only'}
      </span>
      {g.revocable.map((key) => (
        <button key={key} type="button" className="btn small" onClick={() => void act(() => hub.rest.revokeGrant(g.agent, [key]))} data-testid="grant-revoke" data-key={key}>
          Revoke {key}
        </button>
      ))}
      {g.review ? (
        <button type="button" className="btn small" onClick={() => void act(() => hub.rest.markGrantReviewed(g.agent))} data-testid="grant-reviewed">
          Reviewed
        </button>
      ) : null}
      {error ? <span className="err-text small">{error}</span> : null}
    </div>
  );
}

export function ApprovalsView() {
  const { approvals, grants, refusals, loaded, error, revision, pending } = useApprovalsStore();
  const now = useNow(10_000);
  const reload = useCallback(() => void load(), []);
  // On open, and whenever the hub says something changed (system/approvals).
  useEffect(reload, [revision, reload]);
  const shown = grantsToShow(grants);

  return (
    <>
      <div className="agents-toolbar">
        <span className="small muted" data-testid="approvals-count">
          {pending} pending
        </span>
        <span className="grow" />
        <button type="button" className="btn small" onClick={reload}>
          Reload
        </button>
      </div>
      {error ? <div className="error-box" data-testid="approvals-error">Cannot load approvals: {error}</div> : null}
      {loaded && approvals.length === 0 ? (
        <div className="empty" data-testid="approvals-empty">
          Nothing waits for you. When an LLM or an agent asks for more than the safe default (network, secrets, more memory…), it shows here.
        </div>
      ) : null}
      <div className="grid-2" data-testid="approval-list">
        {approvals.map((a) => (
          <ApprovalCard key={a.id} a={a} now={now} />
        ))}
      </div>
      <h3 style={{ marginTop: 16 }}>Grants to review ({shown.length})</h3>
      <div className="card" data-testid="grant-list">
        {shown.length === 0 ? <div className="small muted">No agent holds more than the safe default.</div> : shown.map((g) => <GrantRow key={g.agent} g={g} />)}
      </div>
      <h3 style={{ marginTop: 16 }}>Refused (latest {refusals.length})</h3>
      <div className="card" data-testid="refusal-list">
        {refusals.length === 0 ? <div className="small muted">Nothing refused.</div> : null}
        {refusals.map((r) => (
          <div key={r.id} className="alert-row" data-testid="refusal-row" data-reason={r.reason}>
            <span className="sev-pill warning">{r.reason.replace(/_/g, ' ')}</span>
            <span className="mono small">{r.agent}</span>
            <span>{r.message}</span>
            <span className="small muted" title={clockTime(r.at)}>
              {relativeTime(r.at, now)}
            </span>
          </div>
        ))}
      </div>
    </>
  );
}
