import type { AgentView } from '../stores/agents-store.js';
import { healthTag } from '../stores/agents-store.js';

export function StateBadge({ agent, now }: { agent: AgentView; now: number }) {
  const tag = healthTag(agent, now);
  const label = tag === 'stale' ? 'stale' : agent.state;
  return (
    <span className={`state ${tag}`} data-testid="agent-state" data-state={agent.state} title={tag === 'stale' ? `No heartbeat for more than 60 s (state: ${agent.state})` : agent.state}>
      {label}
    </span>
  );
}
