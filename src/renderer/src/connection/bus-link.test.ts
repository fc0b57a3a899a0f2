/** Both homes of the bus link pass the one conformance suite, plus the per-frame merge. */
import { describe, expect, it } from 'vitest';
import { InlineBusLink, mergeUpdates } from './bus-link.js';
import { serveBusLink } from './bus-worker-host.js';
import type { PortLike } from './bus-worker-protocol.js';
import { busLinkConformance } from './testing/bus-link-conformance.js';
import { emptyUpdate } from './topic-router.js';
import { WorkerBusLink } from './worker-bus-link.js';

busLinkConformance('inline', (o) => new InlineBusLink(o));

busLinkConformance('worker protocol', (o) => {
  const { port1, port2 } = new MessageChannel();
  serveBusLink(port2 as unknown as PortLike);
  return new WorkerBusLink(o, port1 as unknown as PortLike, () => {
    port1.close();
    port2.close();
  });
});

describe('mergeUpdates', () => {
  it('concatenates in arrival order and keeps the newest health', () => {
    const a = { ...emptyUpdate(), logs: [{ actorId: 'x', level: 'info' as const, type: 'info', message: '1', timestamp: 1 }] };
    const b = { ...emptyUpdate(), logs: [{ actorId: 'y', level: 'info' as const, type: 'info', message: '2', timestamp: 2 }], rejected: [{ topic: 't', error: 'e' }] };
    const m = mergeUpdates([a, b]);
    expect(m.logs.map((l) => l.message)).toEqual(['1', '2']);
    expect(m.rejected).toHaveLength(1);
    expect(m.health).toBeNull();
    expect(mergeUpdates([a])).toBe(a);
  });
});
