/**
 * What the HTTP routes need from the hub. The composition root implements it over the actor
 * system; routes stay thin (validate, call, shape the answer) and never reach into actors.
 */
import type { AgentSummary, HealthResponse, OriginalActorMetrics } from '../../shared/rest.js';
import type { Metrics } from '../../shared/mqtt-payloads.js';

export type AgentCommandName = 'stop' | 'pause' | 'resume' | 'delete' | 'restart';

export interface CommandOutcome {
  ok: boolean;
  /** Why it was refused (protected actor, unknown actor…). */
  message: string;
}

export interface HubApi {
  health(): HealthResponse;
  listAgents(): AgentSummary[];
  /** By id or by name. */
  getAgent(idOrName: string): AgentSummary | undefined;
  /** Our metrics payload plus the original REST's and monitor's fields. */
  agentMetrics(idOrName: string): (Metrics & OriginalActorMetrics) | undefined;
  /** Sends a TASK with `content` to the actor and waits for its RESULT. */
  sendMessage(idOrName: string, content: unknown, timeoutMs?: number): Promise<unknown>;
  command(idOrName: string, command: AgentCommandName): Promise<CommandOutcome>;
  /** Chat with main (or `agentName` directly); `onChunk` receives the reply as it streams. */
  chat(message: string, opts: { agentName?: string; interface: string; onChunk?: (chunk: string) => void }): Promise<{ agent: string; response: string }>;
  /** Prometheus text exposition of the hub's actor and LLM families (HTTP ones are added by the server). */
  prometheusMetrics(): string;
}
