import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/mqtt-payloads.js';
import { jobDoneLogSchema, NotificationPolicy } from './notification-policy.js';

const on = { alerts: true, jobs: true };
const critical: Alert = { actor_id: 'x', name: 'thermostat', message: 'silent for 120 s', severity: 'critical', timestamp: 1 };
const warning: Alert = { ...critical, severity: 'warning', message: 'silent for 60 s' };

describe('notification policy', () => {
  it('notifies a new alert and an escalation, not repeats or resolutions', () => {
    const p = new NotificationPolicy();
    expect(p.forAlert('raised', warning, on, false)).toEqual({ title: 'Warning: thermostat', body: 'silent for 60 s', urgency: 'normal' });
    expect(p.forAlert('repeated', warning, on, false)).toBeNull();
    expect(p.forAlert('escalated', critical, on, false)).toEqual({ title: 'Critical: thermostat', body: 'silent for 120 s', urgency: 'critical' });
    expect(p.forAlert('resolved', critical, on, false)).toBeNull();
    expect(p.forAlert('ignored', critical, on, false)).toBeNull();
  });

  it('stays quiet while the window has focus or when switched off', () => {
    const p = new NotificationPolicy();
    expect(p.forAlert('raised', critical, on, true)).toBeNull();
    expect(p.forAlert('raised', critical, { ...on, alerts: false }, false)).toBeNull();
    const job = jobDoneLogSchema.parse({ type: 'job_done', message: 'installed lodash', timestamp: 1, job_kind: 'install', duration_s: 42 });
    expect(p.forJob(job, 'installer', on, true)).toBeNull();
    expect(p.forJob(job, 'installer', { ...on, jobs: false }, false)).toBeNull();
  });

  it('notifies finished long jobs, failed ones as critical, short ones not at all', () => {
    const p = new NotificationPolicy({ minJobSeconds: 10 });
    const parse = (o: object) => jobDoneLogSchema.parse({ type: 'job_done', timestamp: 1, ...o });
    expect(p.forJob(parse({ message: 'installed 3 packages', job_kind: 'install', duration_s: 31 }), 'installer', on, false)).toEqual({
      title: 'Install finished — installer',
      body: 'installed 3 packages',
      urgency: 'normal',
    });
    expect(p.forJob(parse({ message: 'step 2 crashed', job_kind: 'pipeline', ok: false }), 'planner', on, false)).toMatchObject({
      title: 'Pipeline failed — planner',
      urgency: 'critical',
    });
    expect(p.forJob(parse({ message: 'quick', duration_s: 2 }), 'x', on, false)).toBeNull();
    expect(jobDoneLogSchema.safeParse({ type: 'info', message: 'm', timestamp: 1 }).success).toBe(false);
  });

  it('caps a burst and says how many were held back', () => {
    let now = 0;
    const p = new NotificationPolicy({ now: () => now, burstMax: 2, burstWindowMs: 60_000 });
    const raise = (n: string) => p.forAlert('raised', { ...warning, name: n }, on, false);
    expect(raise('a')).not.toBeNull();
    expect(raise('b')).not.toBeNull();
    expect(raise('c')).toBeNull();
    expect(raise('d')).toBeNull();
    now += 60_001;
    const next = raise('e');
    expect(next?.title).toBe('Warning: e');
    expect(next?.body).toMatch(/\+2 more notifications not shown/);
    expect(raise('f')?.body).toBe('silent for 60 s');
  });
});
