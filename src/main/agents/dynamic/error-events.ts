/**
 * `agents/{id}/errors`: what the original's DynamicAgent published when its code failed
 * (`_publish_error`: phase, error, traceback, failures in a row, fatal, severity, degraded), so its
 * dashboards and monitors keep seeing them. Severity is `critical` when the failure is fatal or the
 * third in a row (`degraded`), else `warning`; a success resets the count.
 *
 * The original also mirrored every one of them to `agents/{id}/alert`; here only the step into
 * `critical` raises an alert (once, until a success): a task that fails on every call would
 * otherwise flood the user's notifications. The events themselves are all published.
 */
import { topics } from '../../../shared/topics.js';
import type { AgentErrorEvent } from '../../../shared/mqtt-payloads.js';
import type { Actor } from '../../core/actor.js';
import { toError } from '../../core/errors.js';

/** Failures in a row after which an agent is `degraded` (the original's threshold). */
export const DEGRADED_AFTER = 3;
const TRACEBACK_CHARS = 1_200;

export type ErrorPhase = AgentErrorEvent['phase'];

export class ErrorEvents {
  private consecutive = 0;
  private alerted = false;

  constructor(private readonly actor: Pick<Actor, 'actorId' | 'name' | 'publish'>, private readonly alert: (message: string) => void) {}

  /** A call of the agent's code failed. */
  report(phase: ErrorPhase, error: unknown, fatal: boolean): void {
    const e = toError(error);
    this.consecutive++;
    const degraded = this.consecutive >= DEGRADED_AFTER;
    const severity = fatal || degraded ? 'critical' : 'warning';
    const event: AgentErrorEvent = {
      actor_id: this.actor.actorId,
      name: this.actor.name,
      phase,
      error: e.message,
      traceback: (e.stack ?? '').slice(-TRACEBACK_CHARS),
      consecutive: this.consecutive,
      fatal,
      severity,
      degraded,
      timestamp: Date.now() / 1000,
    };
    this.actor.publish(topics.agent(this.actor.actorId, 'errors'), event);
    if (severity === 'critical' && !this.alerted) {
      this.alerted = true;
      this.alert(`[${phase}] ${e.message}${degraded && !fatal ? ` (${this.consecutive} failures in a row)` : ''}`);
    }
  }

  /** A call succeeded: the count starts again (cheap: on every task). */
  ok(): void {
    if (this.consecutive === 0) return;
    this.consecutive = 0;
    this.alerted = false;
  }
}
