import { describe, expect, it } from 'vitest';
import { HUB_GROUP, layoutGraph, layoutKey, NODE_H, NODE_W, OUTSIDE_GROUP } from './graph-layout.js';

const overlaps = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.abs(a.x - b.x) < NODE_W && Math.abs(a.y - b.y) < NODE_H;

describe('layoutGraph', () => {
  it('groups agents by where they run, publishers left of their subscribers, nobody on top of anybody', () => {
    const r = layoutGraph({
      agents: [
        { id: 'sim', node: null, kind: 'dynamic' },
        { id: 'alert', node: null, kind: 'dynamic' },
        { id: 'main', node: null, kind: 'core' },
        { id: 'remote', node: 'garage', kind: 'dynamic' },
        { id: 'external', node: null, kind: 'external' },
      ],
      edges: [{ from: 'sim', to: 'alert' }, { from: 'external', to: 'sim' }, { from: 'remote', to: 'alert' }],
      nodes: ['garage', 'attic'],
    });
    expect(r.groups.map((g) => g.id)).toEqual([OUTSIDE_GROUP, HUB_GROUP, 'attic', 'garage']);
    expect(r.groupOf).toMatchObject({ sim: HUB_GROUP, remote: 'garage', external: OUTSIDE_GROUP });
    expect(r.positions.sim!.x).toBeLessThan(r.positions.alert!.x);
    const hub = ['sim', 'alert', 'main'].map((id) => r.positions[id]!);
    for (let i = 0; i < hub.length; i++) for (let j = i + 1; j < hub.length; j++) expect(overlaps(hub[i]!, hub[j]!)).toBe(false);
    // Boxes side by side, never overlapping.
    for (let i = 1; i < r.groups.length; i++) expect(r.groups[i]!.x).toBeGreaterThanOrEqual(r.groups[i - 1]!.x + r.groups[i - 1]!.width);
  });

  it('keeps 200 agents readable: a compact block, wired chains laid out', () => {
    const agents = Array.from({ length: 200 }, (_, i) => ({ id: `a${i}`, node: i < 180 ? null : 'garage', kind: 'dynamic' }));
    const edges = Array.from({ length: 120 }, (_, i) => ({ from: `a${i}`, to: `a${i + 1}` })).filter((_, i) => i % 5 !== 4);
    const r = layoutGraph({ agents, edges });
    expect(Object.keys(r.positions)).toHaveLength(200);
    const hub = r.groups.find((g) => g.id === HUB_GROUP)!;
    // Neither one endless row nor one endless column: chains are packed into a block.
    expect(hub.width / hub.height).toBeLessThan(4);
    expect(hub.height / hub.width).toBeLessThan(2);
    const pts = Object.values(r.positions).filter((_, i) => i < 180);
    for (let i = 0; i < pts.length; i++) for (let j = i + 1; j < pts.length; j++) expect(overlaps(pts[i]!, pts[j]!)).toBe(false);
  });

  it('has a key that ignores what does not move anything', () => {
    const a = { agents: [{ id: 'x', node: null, kind: 'dynamic' }, { id: 'y', node: null, kind: 'core' }], edges: [{ from: 'x', to: 'y' }] };
    expect(layoutKey(a)).toBe(layoutKey({ ...a, edges: [{ from: 'x', to: 'y' }, { from: 'x', to: 'y' }], agents: [...a.agents].reverse() }));
    expect(layoutKey(a)).not.toBe(layoutKey({ ...a, edges: [] }));
  });
});
