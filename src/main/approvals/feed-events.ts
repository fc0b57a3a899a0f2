/**
 * Approval events as the activity feed's events (issue 16's feed: src/shared/feed.ts on the graph
 * branch, kinds `approval_requested` and `approval_decided`). The shape is written out here so this
 * branch does not depend on the feed's; the composition root passes the result to
 * `feed.publisher.publish(…)`. Events the feed has no kind for (cancelled, revoked, snapshot) give null.
 */
import { describeItems, type ApprovalEvent } from '../../shared/approvals.js';
import { describeAsker } from './approvals-service.js';

export type ApprovalFeedEvent =
  | { kind: 'approval_requested'; subject: { type: 'approval'; name: string }; text: string; detail: { approval_id: string; what: string; reason: string } }
  | { kind: 'approval_decided'; subject: { type: 'approval'; name: string }; text: string; detail: { approval_id: string; decision: 'approved' | 'denied'; by?: string } };

export function approvalFeedEvent(e: ApprovalEvent): ApprovalFeedEvent | null {
  const a = e.approval;
  if (!a) return null;
  const subject = { type: 'approval' as const, name: a.id };
  if (e.event === 'requested') {
    const what = describeItems(a.items);
    return { kind: 'approval_requested', subject, text: `${describeAsker(a.asked_by)} asks for ${a.agent}: ${what}`, detail: { approval_id: a.id, what, reason: a.reason.slice(0, 500) } };
  }
  if (e.event === 'decided' && a.decided_by) {
    const approved = a.items.some((i) => i.state === 'approved');
    return {
      kind: 'approval_decided',
      subject,
      text: `${a.id} for ${a.agent} ${approved ? 'approved' : 'denied'} by ${a.decided_by}`,
      detail: { approval_id: a.id, decision: approved ? 'approved' : 'denied', by: a.decided_by },
    };
  }
  return null;
}
