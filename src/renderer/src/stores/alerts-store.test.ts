import { beforeEach, describe, expect, it } from 'vitest';
import { emptyUpdate } from '../connection/topic-router.js';
import { TOASTS_SHOWN, useAlertsStore } from './alerts-store.js';

const alert = (actor: string, t: number, severity: 'warning' | 'critical' = 'warning', resolved?: boolean) => ({
  actor_id: actor,
  name: actor,
  message: `${actor} silent`,
  severity,
  timestamp: t,
  topicActorId: actor,
  ...(resolved !== undefined ? { resolved } : {}),
});

describe('alerts store', () => {
  beforeEach(() => useAlertsStore.getState().clear());

  it('lists alerts newest first, counts unread and toasts them', () => {
    const u = emptyUpdate();
    u.alerts.push(alert('a', 1), alert('b', 2, 'critical'));
    useAlertsStore.getState().applyUpdate(u);
    const st = useAlertsStore.getState();
    expect(st.items.map((i) => i.actorId)).toEqual(['b', 'a']);
    expect(st.unread).toBe(2);
    expect(st.toasts.map((t) => t.severity)).toEqual(['critical', 'warning']);
    st.markRead();
    expect(useAlertsStore.getState().unread).toBe(0);
  });

  it('ignores a duplicate delivery', () => {
    const u = emptyUpdate();
    u.alerts.push(alert('a', 1), alert('a', 1));
    useAlertsStore.getState().applyUpdate(u);
    expect(useAlertsStore.getState().items).toHaveLength(1);
  });

  it('resolves earlier alerts of an actor that came back and drops their toasts', () => {
    const u1 = emptyUpdate();
    u1.alerts.push(alert('a', 1), alert('a', 2, 'critical'));
    useAlertsStore.getState().applyUpdate(u1);
    const u2 = emptyUpdate();
    u2.alerts.push(alert('a', 3, 'warning', true));
    useAlertsStore.getState().applyUpdate(u2);
    const st = useAlertsStore.getState();
    expect(st.items.every((i) => i.resolved)).toBe(true);
    expect(st.toasts).toEqual([]);
  });

  it('shows a bounded number of toasts', () => {
    const u = emptyUpdate();
    for (let i = 0; i < 10; i++) u.alerts.push(alert(`x${i}`, i));
    useAlertsStore.getState().applyUpdate(u);
    expect(useAlertsStore.getState().toasts).toHaveLength(TOASTS_SHOWN);
    expect(useAlertsStore.getState().toasts[0]!.actorId).toBe('x9');
  });
});
