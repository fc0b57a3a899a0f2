/**
 * Which bus events become native notifications, and when to hold back:
 * - MonitorAgent (or any actor) alerts on `agents/{id}/alert`: a new warning/critical alert, or a
 *   warning that escalates to critical. Repeats of the same alert (the monitor re-checks every
 *   15 s) and resolutions stay quiet.
 * - Finished long jobs: a log entry `{type: 'job_done', …}` on `agents/{id}/logs` (installs,
 *   pipelines; see docs/desktop.md for the fields). Jobs shorter than `minJobSeconds` stay quiet.
 * - Approvals (`system/approvals`): a new request an LLM or an agent made (a person must decide;
 *   it is not behind the alerts/jobs preferences), and once per hub start the count still waiting
 *   from before (pending approvals survive restarts, so they notify again).
 * Nothing is shown while the window has focus (the dashboard shows its own toasts), and a burst
 * is capped: past `burstMax` in `burstWindowMs`, notifications are counted and the next one says so.
 */
import { z } from 'zod';
import type { Alert } from '../../shared/mqtt-payloads.js';
import { logSchema } from '../../shared/mqtt-payloads.js';
import { describeItems, type ApprovalEvent } from '../../shared/approvals.js';
import type { AlertChange } from './hub-status.js';

export const JOB_DONE_LOG_TYPE = 'job_done';

/** `agents/{id}/logs` entry that marks the end of a long job. Flat, snake_case, like every log entry. */
export const jobDoneLogSchema = logSchema.extend({
  type: z.literal(JOB_DONE_LOG_TYPE),
  /** What kind of job: install, pipeline, deploy… */
  job_kind: z.string().optional(),
  job_id: z.string().optional(),
  /** false when the job failed (message says why); absent → succeeded. */
  ok: z.boolean().optional(),
  duration_s: z.number().nonnegative().optional(),
});
export type JobDoneLog = z.infer<typeof jobDoneLogSchema>;

export interface NotificationRequest {
  title: string;
  body: string;
  urgency: 'normal' | 'critical';
}

export interface NotificationPrefs {
  alerts: boolean;
  jobs: boolean;
}

export interface NotificationPolicyOptions {
  now?: () => number;
  minJobSeconds?: number;
  burstMax?: number;
  burstWindowMs?: number;
}

export class NotificationPolicy {
  private readonly now: () => number;
  private readonly minJobSeconds: number;
  private readonly burstMax: number;
  private readonly burstWindowMs: number;
  private shownAt: number[] = [];
  private suppressed = 0;

  constructor(opts: NotificationPolicyOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.minJobSeconds = opts.minJobSeconds ?? 10;
    this.burstMax = opts.burstMax ?? 5;
    this.burstWindowMs = opts.burstWindowMs ?? 60_000;
  }

  forAlert(change: AlertChange, alert: Alert, prefs: NotificationPrefs, windowFocused: boolean): NotificationRequest | null {
    if (!prefs.alerts || windowFocused) return null;
    if (change !== 'raised' && change !== 'escalated') return null;
    const critical = alert.severity === 'critical';
    return this.admit({
      title: `${critical ? 'Critical' : 'Warning'}: ${alert.name}`,
      body: alert.message,
      urgency: critical ? 'critical' : 'normal',
    });
  }

  forJob(log: JobDoneLog, agentName: string, prefs: NotificationPrefs, windowFocused: boolean): NotificationRequest | null {
    if (!prefs.jobs || windowFocused) return null;
    if (log.duration_s !== undefined && log.duration_s < this.minJobSeconds) return null;
    const failed = log.ok === false;
    const what = log.job_kind ? `${capitalise(log.job_kind)} ` : 'Job ';
    return this.admit({
      title: `${what}${failed ? 'failed' : 'finished'} — ${agentName}`,
      body: log.message,
      urgency: failed ? 'critical' : 'normal',
    });
  }

  /** `startup`: the first event seen since this hub started (its snapshot tells what waits from before). */
  forApproval(e: ApprovalEvent, startup: boolean, windowFocused: boolean): NotificationRequest | null {
    if (windowFocused) return null;
    if (e.event === 'requested' && e.approval) {
      const a = e.approval;
      const who = a.asked_by.kind === 'agent' ? `Agent ${a.asked_by.name}` : a.asked_by.kind === 'llm' ? `${a.asked_by.name}'s LLM` : 'A person';
      return this.admit({
        title: `Approval needed — ${a.agent}`,
        body: `${who} asks for ${describeItems(a.items.filter((i) => i.state === 'pending'))}${a.waiting ? ' (it waits, not running)' : ''}. Open Approvals in the dashboard, or /approve ${a.id} in chat.`,
        urgency: 'normal',
      });
    }
    if (startup && e.event === 'snapshot' && e.pending > 0) {
      return this.admit({ title: `${e.pending} approval${e.pending === 1 ? '' : 's'} waiting`, body: 'Requests from before the restart still wait for you: open Approvals in the dashboard.', urgency: 'normal' });
    }
    return null;
  }

  private admit(req: NotificationRequest): NotificationRequest | null {
    const now = this.now();
    this.shownAt = this.shownAt.filter((t) => now - t < this.burstWindowMs);
    if (this.shownAt.length >= this.burstMax) {
      this.suppressed++;
      return null;
    }
    this.shownAt.push(now);
    if (this.suppressed > 0) {
      const n = this.suppressed;
      this.suppressed = 0;
      return { ...req, body: `${req.body}\n(+${n} more notification${n === 1 ? '' : 's'} not shown — see the dashboard)` };
    }
    return req;
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
