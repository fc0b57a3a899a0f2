/**
 * error-events.ts: the original's `agents/{id}/errors` events, and one alert per step into
 * `critical` (not one per failure): fatal at once, else at the third failure in a row; a success
 * starts the count again.
 */
import { describe, expect, it } from 'vitest';
import { agentErrorEventSchema, type AgentErrorEvent } from '../../../shared/mqtt-payloads.js';
import { ErrorEvents } from './error-events.js';

function recorder() {
  const published: { topic: string; event: AgentErrorEvent }[] = [];
  const alerts: string[] = [];
  const actor = { actorId: 'id-1', name: 'flaky', publish: (topic: string, payload: unknown) => published.push({ topic, event: agentErrorEventSchema.parse(payload) }) };
  return { published, alerts, events: new ErrorEvents(actor, (m) => alerts.push(m)) };
}

describe('ErrorEvents', () => {
  it('publishes every failure; alerts once when they become critical; a success resets both', () => {
    const r = recorder();
    for (let i = 0; i < 5; i++) r.events.report('process', new Error(`boom ${i}`), false);
    expect(r.published.map((p) => p.topic)).toEqual(Array(5).fill('agents/id-1/errors'));
    expect(r.published.map((p) => [p.event.consecutive, p.event.severity, p.event.degraded])).toEqual([
      [1, 'warning', false],
      [2, 'warning', false],
      [3, 'critical', true],
      [4, 'critical', true],
      [5, 'critical', true],
    ]);
    expect(r.alerts).toEqual(['[process] boom 2 (3 failures in a row)']);
    r.events.ok();
    r.events.report('handle_task', 'plain string', false);
    expect(r.published.at(-1)!.event).toMatchObject({ consecutive: 1, severity: 'warning', error: 'plain string', phase: 'handle_task' });
    for (let i = 0; i < 2; i++) r.events.report('handle_task', new Error('again'), false);
    expect(r.alerts).toHaveLength(2);
  });

  it('a fatal failure (code that does not load, a crash) is critical at once', () => {
    const r = recorder();
    r.events.report('compile', new SyntaxError('Unexpected token'), true);
    expect(r.published[0]!.event).toMatchObject({ phase: 'compile', fatal: true, severity: 'critical', degraded: false, consecutive: 1, name: 'flaky', actor_id: 'id-1' });
    expect(r.alerts).toEqual(['[compile] Unexpected token']);
  });
});
