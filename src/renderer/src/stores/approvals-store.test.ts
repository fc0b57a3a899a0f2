/**
 * The Approvals view's store: `system/approvals` through the topic router (validated; a malformed
 * payload rejected, not thrown) gives the pending count and a revision bump; the cards come from a
 * REST snapshot (only pending ones, oldest first); grants to review sort flagged ones first.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { APPROVALS_TOPIC, type AgentGrant, type Approval } from '../../../shared/approvals.js';
import { DASHBOARD_SUBSCRIPTIONS } from '../connection/subscriptions.js';
import { routeMessages } from '../connection/topic-router.js';
import { grantsToShow, useApprovalsStore } from './approvals-store.js';

const approval = (id: string, state: Approval['state'], created_at: number): Approval => ({
  id,
  agent: `agent-${id}`,
  agent_kind: 'dynamic',
  asked_by: { kind: 'llm', name: 'main', via: 'spawn_block' },
  reason: 'why',
  state,
  items: [{ key: 'fetch', kind: 'capability', label: 'make HTTP requests', state: state === 'pending' ? 'pending' : 'approved' }],
  waiting: false,
  created_at,
  decided_at: null,
  decided_by: null,
});
const grant = (agent: string, review: boolean, revocable: string[]): AgentGrant => ({ agent, agent_kind: 'dynamic', source: 'llm', capabilities: [], env_names: [], limits: {}, revocable, review, pending: [] });

beforeEach(() => useApprovalsStore.setState({ pending: 0, revision: 0, approvals: [], grants: [], refusals: [], loaded: false, error: null, busy: {} }));

describe('approvals store', () => {
  it('the dashboard subscribes to system/approvals', () => {
    expect(DASHBOARD_SUBSCRIPTIONS).toContain(APPROVALS_TOPIC);
  });

  it('events from the bus set the pending count and bump the revision; a malformed one is rejected', () => {
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    const u = routeMessages([
      { topic: APPROVALS_TOPIC, payload: enc({ event: 'requested', approval: approval('ap-1', 'pending', 1), pending: 1, timestamp: 1 }) },
      { topic: APPROVALS_TOPIC, payload: enc({ event: 'snapshot', pending: 3, timestamp: 2 }) },
      { topic: APPROVALS_TOPIC, payload: enc({ event: 'approve-everything', pending: -1 }) },
    ]);
    expect(u.approvals.map((e) => e.event)).toEqual(['requested', 'snapshot']);
    expect(u.rejected).toHaveLength(1);
    useApprovalsStore.getState().applyUpdate(u);
    expect(useApprovalsStore.getState()).toMatchObject({ pending: 3, revision: 1, approvals: [] });
    // A frame without approval events changes nothing.
    useApprovalsStore.getState().applyUpdate(routeMessages([]));
    expect(useApprovalsStore.getState().revision).toBe(1);
  });

  it('the cards are the REST snapshot: pending ones, oldest first', () => {
    useApprovalsStore.getState().setSnapshot({ approvals: [approval('b', 'pending', 5), approval('c', 'approved', 6), approval('a', 'pending', 2)], pending: 2, grants: [], refusals: [] });
    expect(useApprovalsStore.getState()).toMatchObject({ pending: 2, loaded: true, error: null });
    expect(useApprovalsStore.getState().approvals.map((a) => a.id)).toEqual(['a', 'b']);
  });

  it('grants to review: flagged at upgrade first, then those with something revocable', () => {
    const shown = grantsToShow([grant('plain', false, []), grant('b-fetch', false, ['fetch']), grant('old', true, []), grant('a-env', false, ['env:K'])]);
    expect(shown.map((g) => g.agent)).toEqual(['old', 'a-env', 'b-fetch']);
  });

  it('busy marks a decision in flight per approval', () => {
    useApprovalsStore.getState().setBusy('ap-1', true);
    expect(useApprovalsStore.getState().busy).toEqual({ 'ap-1': true });
    useApprovalsStore.getState().setBusy('ap-1', false);
    expect(useApprovalsStore.getState().busy).toEqual({});
  });
});
