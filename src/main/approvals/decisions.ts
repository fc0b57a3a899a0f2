/**
 * What a person's decision does (approvals-service.ts serializes them):
 * - **approve** items of a running agent: its grant gains them and it restarts with them (state kept);
 * - **approve** `spawn` of an agent that waited: it is spawned now, as the approving person asked,
 *   with the items approved so far (the others stay pending and apply when approved);
 * - **deny**: the items stay refused, recorded for audit; denying `spawn` denies the whole request;
 * - **revoke**: items of a grant are taken back (limits fall to the safe ceiling), the agent
 *   restarts without them, and it is recorded for audit.
 * A decision that cannot be applied (the agent is gone, the spawn fails) changes nothing and says why.
 */
import { describeItems, type AgentGrant, type Approval, type ApprovalItem, type ApprovalOutcome, type GrantAsk } from '../../shared/approvals.js';
import { nowSeconds } from '../persistence/stores/json-column.js';
import type { ApprovalStore } from './approval-store.js';
import { ApprovalError, type ApprovalTarget } from './approval-types.js';
import { isPowerCapability, revocableItems, withItems, withoutItems, type ApprovalLimits } from './grant-policy.js';

/** The shared wire contract (src/shared/approvals.ts): what REST answers and chat says. */
export type DecisionOutcome = ApprovalOutcome;

interface DecisionInput {
  approvals: Approval[];
  decision: 'approve' | 'deny';
  items: readonly string[];
  by: string;
  target: ApprovalTarget;
  store: ApprovalStore;
  limits: ApprovalLimits;
  log: (level: 'info' | 'warning', message: string) => void;
}

const keyOf = (k: string): string => (k.startsWith('env:') || k.startsWith('send_to:') ? k : k.toLowerCase());

export async function applyDecision(d: DecisionInput): Promise<DecisionOutcome> {
  const open = d.approvals.filter((a) => a.items.some((i) => i.state === 'pending'));
  if (!open.length) {
    const a = d.approvals[0]!;
    throw new ApprovalError('conflict', `${a.id} for ${a.agent} was already decided (${a.state})`);
  }
  const wanted = new Set(d.items.map(keyOf));
  const known = new Set(open.flatMap((a) => a.items.filter((i) => i.state === 'pending').map((i) => keyOf(i.key))));
  const unknown = [...wanted].filter((k) => !known.has(k));
  if (unknown.length) {
    throw new ApprovalError('bad_input', `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not pending here; pending: ${[...known].join(', ')}`);
  }
  const outcome: DecisionOutcome = { approvals: [], approved: [], denied: [], message: '' };
  const lines: string[] = [];
  for (const a of open) {
    const touched = a.items.filter((i) => i.state === 'pending' && (wanted.size === 0 || wanted.has(keyOf(i.key))));
    if (!touched.length) continue;
    const next = d.decision === 'approve' ? await approve(d, a, touched) : deny(d, a, touched);
    d.store.update(next.approval);
    outcome.approvals.push(next.approval);
    (d.decision === 'approve' ? outcome.approved : outcome.denied).push(...touched.map((i) => i.key));
    lines.push(next.line);
  }
  outcome.message = lines.join('\n');
  return outcome;
}

async function approve(d: DecisionInput, a: Approval, touched: ApprovalItem[]): Promise<{ approval: Approval; line: string }> {
  const keys = new Set(touched.map((i) => i.key));
  const items = a.items.map((i): ApprovalItem => (keys.has(i.key) ? { ...i, state: 'approved' } : i));
  let waiting = a.waiting;
  let line: string;
  if (a.waiting && !items.some((i) => i.key === 'spawn' && i.state === 'approved')) {
    line = `${a.id}: ${describeItems(touched)} approved for ${a.agent}; it still waits for "spawn" before it runs.`;
  } else if (a.waiting) {
    const spec = d.store.specOf(a.id);
    if (!spec || typeof spec !== 'object') throw new ApprovalError('conflict', `${a.id}: the spawn spec of ${a.agent} is missing; ask for the agent again`);
    const r = await d.target.spawnApproved(specWith(spec as Record<string, unknown>, items, d.limits), { kind: 'person', name: d.by, via: 'approval' });
    if (!r.ok) throw new ApprovalError('conflict', `${a.id}: approved, but ${a.agent} could not be spawned: ${r.message} (the request stays pending)`);
    waiting = false;
    line = `${a.id}: approved — ${r.message}`;
  } else {
    const held = d.target.grantOf(a.agent);
    if (!held) throw new ApprovalError('not_found', `${a.id}: ${a.agent} no longer exists`);
    const grant = withItems(held.grant, touched.filter((i) => i.kind !== 'spawn'));
    await d.target.setGrant(a.agent, grant, `approved by ${d.by}: ${describeItems(touched)}`);
    d.target.tellAgent(a.agent, 'info', `${a.id} approved by ${d.by}: ${describeItems(touched)} — restarted with it`);
    line = `${a.id}: ${a.agent} now has ${describeItems(touched)} (restarted with it).`;
  }
  d.log('info', `${a.id} approved by ${d.by}: ${describeItems(touched)}`);
  return { approval: settle({ ...a, items, waiting }, d.by), line };
}

function deny(d: DecisionInput, a: Approval, touched: ApprovalItem[]): { approval: Approval; line: string } {
  // Without its spawn an agent that waits will never run: the rest of its request goes too.
  const all = a.waiting && touched.some((i) => i.key === 'spawn');
  const keys = new Set((all ? a.items.filter((i) => i.state === 'pending') : touched).map((i) => i.key));
  const items = a.items.map((i): ApprovalItem => (keys.has(i.key) ? { ...i, state: 'denied' } : i));
  const denied = items.filter((i) => keys.has(i.key));
  d.store.refuse({ agent: a.agent, asked_by: a.asked_by, reason: 'denied', items: denied.map((i) => i.key), message: `${a.id}: denied by ${d.by}: ${describeItems(denied)}`, approval_id: a.id, by: d.by });
  if (!a.waiting) d.target.tellAgent(a.agent, 'warning', `${a.id} denied by ${d.by}: ${describeItems(denied)} — it keeps running without it`);
  d.log('info', `${a.id} denied by ${d.by}: ${describeItems(denied)}`);
  const line = all ? `${a.id}: denied — ${a.agent} will not be spawned.` : `${a.id}: ${describeItems(denied)} denied for ${a.agent}; it keeps running without ${denied.length === 1 ? 'it' : 'them'}.`;
  return { approval: settle({ ...a, items }, d.by), line };
}

/** The state an approval is in once an item changed; stamped with the decision. */
function settle(a: Approval, by: string): Approval {
  const states = new Set(a.items.map((i) => i.state));
  const state: Approval['state'] = states.has('pending') ? 'pending' : states.size === 1 && states.has('approved') ? 'approved' : states.size === 1 && states.has('denied') ? 'denied' : 'partial';
  return { ...a, state, decided_at: nowSeconds(), decided_by: by };
}

/** The waiting agent's spec with what was approved; what was not falls back to the safe default. */
export function specWith(spec: Record<string, unknown>, items: readonly ApprovalItem[], limits: ApprovalLimits): Record<string, unknown> {
  const approved = new Set(items.filter((i) => i.state === 'approved').map((i) => i.key));
  const asked = new Set(items.map((i) => i.key));
  const caps = Array.isArray(spec.capabilities) ? (spec.capabilities as unknown[]).map(String) : [];
  const env = Array.isArray(spec.env) ? (spec.env as unknown[]).map(String) : [];
  const config: Record<string, unknown> = { ...((spec.config as Record<string, unknown> | undefined) ?? {}) };
  for (const i of items) {
    if (i.kind !== 'limit') continue;
    if (i.key === 'isolation') config.isolation = approved.has('isolation') ? 'dedicated' : 'shared';
    else config[i.key] = approved.has(i.key) ? i.value : i.meanwhile;
  }
  if (config.llm_budget_usd === undefined) config.llm_budget_usd = limits.safe.llm_budget_usd;
  return {
    ...spec,
    capabilities: caps.filter((c) => !isPowerCapability(c) || approved.has(c.toLowerCase())),
    env: env.filter((n) => approved.has(`env:${n}`)),
    // Hub actors it asks: those asked as items only when approved (code agents are asked by declaration).
    ...(Array.isArray(spec.send_to) ? { send_to: (spec.send_to as unknown[]).map(String).filter((n) => !asked.has(`send_to:${n}`) || approved.has(`send_to:${n}`)) } : {}),
    config,
  };
}

export async function revokeGrant(r: { agent: string; items: readonly string[]; by: string; target: ApprovalTarget; store: ApprovalStore; limits: ApprovalLimits }): Promise<Omit<AgentGrant, 'agent'>> {
  const held = r.target.grantOf(r.agent);
  if (!held) throw new ApprovalError('not_found', `no agent named "${r.agent}"`);
  const revocable = revocableItems(held.grant, r.limits);
  const keys = r.items.map(keyOf);
  const bad = keys.filter((k) => !revocable.map(keyOf).includes(k));
  if (bad.length) throw new ApprovalError('bad_input', `${r.agent} holds no ${bad.join(', ')} that can be taken back (it holds: ${revocable.join(', ') || 'nothing beyond the safe default'})`);
  const grant: GrantAsk = withoutItems(held.grant, keys, r.limits);
  await r.target.setGrant(r.agent, grant, `revoked by ${r.by}: ${keys.join(', ')}`);
  r.target.tellAgent(r.agent, 'warning', `${keys.join(', ')} revoked by ${r.by} — restarted without it`);
  r.store.refuse({ agent: r.agent, asked_by: null, reason: 'revoked', items: keys, message: `revoked by ${r.by}: ${keys.join(', ')}`, approval_id: null, by: r.by });
  r.store.reviewed(r.agent);
  return { agent_kind: held.kind, source: held.source, ...grant, send_to: grant.send_to ?? [], revocable: revocableItems(grant, r.limits), review: false, pending: [] };
}
