/** `n` running DynamicAgents as GET /api/actors lists them: the input of the HTTP and /ws benches. */
import type { AgentSummary } from '../src/shared/rest.js';

export function agentSummaries(n: number): AgentSummary[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `id-${i}`,
    name: `agent-${i}`,
    state: 'running',
    protected: false,
    kind: 'dynamic',
    last_heartbeat: 1,
    inbox_size: 0,
    restart_count: 0,
    messages_processed: i,
    cpu: 0.5,
    mem: 12,
    task: 'idle',
    messagesProcessed: i,
    costUsd: null,
  }));
}
