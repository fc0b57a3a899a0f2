/**
 * Pause / resume every dynamic agent from the tray: one `{command}` message on each agent's
 * `agents/{id}/commands` topic (the same thing the dashboard's buttons send). Core agents are
 * never touched; protected actors would refuse anyway.
 */
import type { AgentCommand } from '../../shared/mqtt-payloads.js';
import { topics } from '../../shared/topics.js';
import type { HubSnapshot } from './hub-status.js';

export interface BusMessage {
  topic: string;
  payload: AgentCommand;
}

export function dynamicAgentCommands(s: HubSnapshot, command: 'pause' | 'resume'): BusMessage[] {
  const from = command === 'pause' ? 'running' : 'paused';
  return s.dynamicAgents
    .filter((a) => a.state === from)
    .map((a) => ({ topic: topics.agent(a.actorId, 'commands'), payload: { command } }));
}
