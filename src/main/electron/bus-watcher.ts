/**
 * Feeds the tray from the bus: heartbeats and status changes (agent count), alerts, and
 * `job_done` log entries (notifications), `system/approvals` (the pending count, a notification
 * per new request and one for those still waiting after a restart). Every payload is validated; a malformed one is
 * dropped with a debug line, never thrown. The Bus has no state-change event, so its connection
 * state is sampled every `pollMs`.
 */
import type { Bus } from '../core/bus.js';
import { APPROVALS_TOPIC, approvalEventSchema } from '../../shared/approvals.js';
import { alertSchema, heartbeatSchema, logSchema, parsePayload, statusSchema } from '../../shared/mqtt-payloads.js';
import { parseAgentTopic, topics } from '../../shared/topics.js';
import type { ActorState } from '../../shared/actor-state.js';
import type { HubStatus } from './hub-status.js';
import { JOB_DONE_LOG_TYPE, jobDoneLogSchema, type NotificationPolicy, type NotificationPrefs, type NotificationRequest } from './notification-policy.js';
import type { Logger } from '../base/logger.js';

export interface BusWatcherOptions {
  bus: Bus;
  status: HubStatus;
  policy: NotificationPolicy;
  prefs: () => NotificationPrefs;
  windowFocused: () => boolean;
  notify: (n: NotificationRequest) => void;
  /** Something the tray shows may have changed. */
  onChange: () => void;
  log?: Logger<'debug' | 'warning'>;
  pollMs?: number;
  /** The hub's actors at the start (heartbeats come every 10 s; the first ones went out before we subscribed). */
  initialAgents?: () => ReadonlyArray<{ actorId: string; name: string; state: ActorState; kind?: string }>;
}

/** Starts watching; returns a function that stops it. */
export function watchBus(o: BusWatcherOptions): () => void {
  // The first approval event after (re)subscribing is the hub's retained snapshot.
  let firstApproval = true;
  const dropped = (topic: string, error: string): void => o.log?.('debug', `tray: dropped a malformed payload on ${topic}: ${error}`);
  const unsubs = [
    o.bus.subscribe(topics.allAgents('heartbeat'), (topic, raw) => {
      const r = parsePayload(heartbeatSchema, raw);
      if (!r.ok) return dropped(topic, r.error);
      o.status.onHeartbeat(r.value);
      o.onChange();
    }),
    o.bus.subscribe(topics.allAgents('status'), (topic, raw) => {
      const r = parsePayload(statusSchema, raw);
      if (!r.ok) return dropped(topic, r.error);
      o.status.onStatus(r.value);
      o.onChange();
    }),
    o.bus.subscribe(topics.allAgents('alert'), (topic, raw) => {
      const r = parsePayload(alertSchema, raw);
      if (!r.ok) return dropped(topic, r.error);
      const change = o.status.onAlert(r.value);
      const n = o.policy.forAlert(change, r.value, o.prefs(), o.windowFocused());
      if (n) o.notify(n);
      if (change !== 'ignored') o.onChange();
    }),
    o.bus.subscribe(topics.allAgents('logs'), (topic, raw) => {
      // Most log lines are not jobs: check the type cheaply before the full schema.
      const base = parsePayload(logSchema, raw);
      if (!base.ok || base.value.type !== JOB_DONE_LOG_TYPE) return;
      const r = parsePayload(jobDoneLogSchema, raw);
      if (!r.ok) return dropped(topic, r.error);
      const actorId = parseAgentTopic(topic)?.actorId ?? '?';
      const n = o.policy.forJob(r.value, o.status.agentName(actorId) ?? actorId, o.prefs(), o.windowFocused());
      if (n) o.notify(n);
    }),
    o.bus.subscribe(APPROVALS_TOPIC, (topic, raw) => {
      const r = parsePayload(approvalEventSchema, raw);
      if (!r.ok) return dropped(topic, r.error);
      o.status.setApprovalsPending(r.value.pending);
      const n = o.policy.forApproval(r.value, firstApproval, o.windowFocused());
      firstApproval = false;
      if (n) o.notify(n);
      o.onChange();
    }),
  ];
  let last = o.bus.state;
  o.status.setConnection(last);
  if (o.initialAgents) o.status.seed(o.initialAgents());
  o.onChange();
  const timer = setInterval(() => {
    if (o.bus.state === last) return;
    last = o.bus.state;
    o.status.setConnection(last);
    o.onChange();
  }, o.pollMs ?? 2000);
  timer.unref?.();
  return () => {
    clearInterval(timer);
    for (const u of unsubs) u();
  };
}
