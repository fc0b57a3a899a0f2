/**
 * The restore pill from the hub's reports to what it shows: the retained system/restore routed and
 * validated (a forged or malformed payload is ignored), REST and MQTT reports reconciled by the
 * hub's timestamp, and the pill while restoring, after failures, and gone once all are back.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import type { RestoreProgress } from '../../../shared/mqtt-payloads.js';
import { topics } from '../../../shared/topics.js';
import { applyBatch } from '../connection/apply-update.js';
import { mergeUpdates } from '../connection/bus-link.js';
import { DASHBOARD_SUBSCRIPTIONS } from '../connection/subscriptions.js';
import { routeMessages } from '../connection/topic-router.js';
import { newerRestore, useConnectionStore } from '../stores/connection-store.js';
import { RestoreIndicator, RestorePill, restoreView } from './RestoreIndicator.js';

const progress = (over: Partial<RestoreProgress> = {}): RestoreProgress => ({ state: 'restoring', total: 300, restored: 120, failed: 0, pending: 180, started_at: 10, finished_at: null, timestamp: 11, ...over });
const msg = (p: unknown) => ({ topic: topics.systemRestore, payload: new TextEncoder().encode(JSON.stringify(p)) });

afterEach(() => useConnectionStore.setState({ restore: null, health: null, rejected: 0 }));

describe('system/restore on the dashboard', () => {
  it('is subscribed to, routed and validated; the newest report of a batch wins', () => {
    expect(DASHBOARD_SUBSCRIPTIONS).toContain(topics.systemRestore);
    const u = routeMessages([msg(progress({ restored: 10, pending: 290, timestamp: 5 })), msg(progress())]);
    expect(u.restore).toMatchObject({ restored: 120, timestamp: 11 });
    const bad = routeMessages([msg({ state: 'restoring', total: -1 }), { topic: topics.systemRestore, payload: 'not json' }]);
    expect(bad.restore).toBeNull();
    expect(bad.rejected).toHaveLength(2);
    const merged = mergeUpdates([routeMessages([msg(progress({ timestamp: 5 }))]), routeMessages([]), routeMessages([msg(progress({ state: 'done', restored: 300, pending: 0, finished_at: 12, timestamp: 12 }))])]);
    expect(merged.restore).toMatchObject({ state: 'done', timestamp: 12 });
  });

  it('REST and MQTT reports: the later one by the hub\'s clock is kept', () => {
    const early = progress({ timestamp: 5 });
    const late = progress({ timestamp: 9 });
    expect(newerRestore(null, early)).toBe(early);
    expect(newerRestore(late, early)).toBe(late);
    expect(newerRestore(early, late)).toBe(late);
    expect(newerRestore(late, undefined)).toBe(late);
    applyBatch([msg(late)]);
    // A GET /health answered before it (older timestamp) does not roll the pill back.
    useConnectionStore.getState().setHealth({ restore: early } as never);
    expect(useConnectionStore.getState().restore).toEqual(late);
  });

  it('shows progress while restoring, a warning when some failed, nothing once all are back', () => {
    expect(restoreView(progress())).toMatchObject({ tone: 'busy', label: 'Restoring agents 120/300', fraction: 0.4 });
    expect(restoreView(progress({ state: 'done', restored: 298, failed: 2, pending: 0, finished_at: 12 }))).toMatchObject({ tone: 'warn', label: '2 agents not restored', fraction: null });
    expect(restoreView(progress({ state: 'done', restored: 300, pending: 0, finished_at: 12 }))).toBeNull();
    expect(restoreView(progress({ state: 'done', total: 0, restored: 0, pending: 0 }))).toBeNull();
    expect(restoreView(null)).toBeNull();

    // (rendered to a string, a store hook reads the store's initial state: nothing to show)
    expect(renderToStaticMarkup(<RestoreIndicator />)).toBe('');
    expect(renderToStaticMarkup(<RestorePill view={null} />)).toBe('');
    const html = renderToStaticMarkup(<RestorePill view={restoreView(progress())} />);
    expect(html).toContain('data-testid="restore-state"');
    expect(html).toContain('Restoring agents 120/300');
    expect(html).toMatch(/<progress[^>]*value="0.4"/);
  });
});
