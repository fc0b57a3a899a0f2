/**
 * Main's chat commands for approvals (the integration contract's `commands`): the user decides in
 * the chat they already have open. Only the user's interfaces reach them — main refuses chat from
 * agent code, and agents may not publish on io/chat (agents/main, agents/dynamic/agent-host.ts) —
 * so an agent cannot approve its own request.
 *
 *   /approvals                      what waits (id, agent, who asked, what, why)
 *   /approve <id|agent> [item…]     approve those items (all pending ones when none is named)
 *   /deny <id|agent> [item…]        deny them
 *   /grants [agent]                 what agents hold beyond the safe default
 *   /revoke <agent> <item…>         take items back
 */
import { describeItems, type Approval } from '../../shared/approvals.js';
import type { ChatCommand } from '../integration/integration.js';
import { ApprovalError } from './approval-types.js';
import { describeAsker, type Approvals } from './approvals-service.js';

const BY_CHAT = 'chat';

export function approvalCommands(approvals: Approvals): ChatCommand[] {
  const run = async (work: () => Promise<string> | string): Promise<string> => {
    try {
      return await work();
    } catch (e) {
      if (e instanceof ApprovalError) return e.message;
      throw e;
    }
  };
  return [
    {
      name: 'approvals',
      usage: '/approvals',
      help: 'what LLMs and agents asked for that waits for you',
      run: () => {
        const pending = approvals.list({ state: 'pending' });
        if (!pending.length) return 'Nothing waits for your approval.';
        return [`${pending.length} waiting for your approval:`, ...pending.map(describeApproval), '', 'Approve with /approve <id> [item…], deny with /deny <id> [item…].'].join('\n');
      },
    },
    {
      name: 'approve',
      usage: '/approve <id|agent> [item…]',
      help: 'grant what an LLM or agent asked for (all pending items when none is named)',
      run: (args) => run(async () => (args[0] ? (await approvals.decide(args[0], 'approve', args.slice(1), BY_CHAT)).message : 'Usage: /approve <id|agent> [item…] — /approvals lists what waits.')),
    },
    {
      name: 'deny',
      usage: '/deny <id|agent> [item…]',
      help: 'refuse it (recorded; the agent keeps running without it)',
      run: (args) => run(async () => (args[0] ? (await approvals.decide(args[0], 'deny', args.slice(1), BY_CHAT)).message : 'Usage: /deny <id|agent> [item…] — /approvals lists what waits.')),
    },
    {
      name: 'grants',
      usage: '/grants [agent]',
      help: 'what agents hold beyond the safe default (and which to review)',
      run: (args) =>
        run(() => {
          const grants = approvals.grants().filter((g) => (args[0] ? g.agent === args[0] : g.revocable.length > 0 || g.review));
          if (!grants.length) return args[0] ? `No agent named "${args[0]}".` : 'No agent holds anything beyond the safe default.';
          return grants.map((g) => `  ${g.agent.padEnd(24)} ${g.revocable.join(', ') || '(safe default)'}${g.review ? '  — to review (it had this before approvals)' : ''}`).join('\n');
        }),
    },
    {
      name: 'revoke',
      usage: '/revoke <agent> <item…>',
      help: 'take back what an agent was granted (it restarts without it)',
      run: (args) =>
        run(async () => {
          if (args.length < 2) return 'Usage: /revoke <agent> <item…> — /grants shows what can be taken back.';
          const g = await approvals.revoke(args[0]!, args.slice(1), BY_CHAT);
          return `${g.agent} restarted without ${args.slice(1).join(', ')}; it holds ${g.revocable.join(', ') || 'only the safe default'}.`;
        }),
    },
  ];
}

export function describeApproval(a: Approval): string {
  const pending = a.items.filter((i) => i.state === 'pending');
  return `  ${a.id}  ${a.agent} — ${describeAsker(a.asked_by)} asks for ${describeItems(pending)}${a.waiting ? ' (not running until approved)' : ''}${a.reason ? `. Why: ${a.reason.slice(0, 200)}` : ''}`;
}
