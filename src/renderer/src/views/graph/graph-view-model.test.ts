import { describe, expect, it } from 'vitest';
import type { Graph } from '../../../../shared/graph.js';
import { filterChoices, NO_FILTERS, rateLabel, viewGraph, wireWidth } from './graph-view-model.js';

const g: Graph = {
  agents: [
    { id: 'sim', name: 'temp-sim', kind: 'dynamic', node: null, state: 'running' },
    { id: 'alert', name: 'heat-alerter', kind: 'dynamic', node: null, state: 'paused' },
    { id: 'main', name: 'main', kind: 'core', node: null, state: 'running' },
    { id: 'far', name: 'garden', kind: 'dynamic', node: 'garage', state: 'silent' },
  ],
  edges: [
    { from: 'sim', to: 'alert', topic: 'sensors/temp', rate: 2 },
    { from: 'far', to: 'alert', topic: 'garden/moisture', rate: 0 },
    { from: 'main', to: 'sim', topic: 'x/y', rate: 0 },
  ],
  nodes: [{ name: 'garage', online: false }],
};

describe('viewGraph', () => {
  it('filters agents out with the wires that touch them', () => {
    const v = viewGraph(g, { ...NO_FILTERS, node: 'hub' }, null);
    expect(v.agents.map((a) => a.id)).toEqual(['sim', 'alert', 'main']);
    expect(v.edges.map((e) => e.topic)).toEqual(['sensors/temp', 'x/y']);
    expect(viewGraph(g, { ...NO_FILTERS, state: 'problem' }, null).agents.map((a) => a.id)).toEqual(['far']);
    expect(viewGraph(g, { ...NO_FILTERS, kind: 'core' }, null).edges).toEqual([]);
    expect(viewGraph(g, { ...NO_FILTERS, node: 'garage' }, null).agents.map((a) => a.id)).toEqual(['far']);
  });

  it('search marks matches by name without taking anybody away', () => {
    const v = viewGraph(g, { ...NO_FILTERS, search: 'ALERT' }, null);
    expect(v.agents).toHaveLength(4);
    expect([...v.matches]).toEqual(['alert']);
  });

  it('a pipeline marks its agents and the wires of its path', () => {
    const v = viewGraph(g, NO_FILTERS, {
      agents: [
        { name: 'temp-sim', role: 'source', type: 'dynamic', subscribes: [], publishes: ['sensors/temp'], state: 'running' },
        { name: 'heat-alerter', role: 'sink', type: 'dynamic', subscribes: ['sensors/+'], publishes: [], state: 'running' },
      ],
      topics: [{ topic: 'sensors/temp', from: ['temp-sim'], to: ['heat-alerter'] }],
    } as never);
    expect([...v.pathAgents].sort()).toEqual(['alert', 'sim']);
    expect([...v.pathEdges].map((e) => e.topic)).toEqual(['sensors/temp']);
  });

  it('lists the kinds and nodes to filter by; wires thicken with the rate', () => {
    expect(filterChoices(g)).toEqual({ kinds: ['core', 'dynamic'], nodes: ['garage'] });
    expect(wireWidth(0)).toBe(1.5);
    expect(wireWidth(100)).toBeGreaterThan(wireWidth(1));
    expect(wireWidth(1e9)).toBe(6);
    expect(rateLabel(0)).toBe('idle');
    expect(rateLabel(2.345)).toBe('2.3/s');
    expect(rateLabel(42.4)).toBe('42/s');
  });
});
