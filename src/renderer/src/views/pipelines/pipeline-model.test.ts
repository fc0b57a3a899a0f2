import { describe, expect, it } from 'vitest';
import type { PipelineAgentStatus } from '../../../../shared/rest.js';
import { mqttMatch, pipelineLinks } from './pipeline-model.js';

const agent = (name: string, subscribes: string[], publishes: string[]): PipelineAgentStatus => ({ name, role: '', type: 'dynamic', subscribes, publishes, state: 'running' });

describe('pipelineLinks', () => {
  it('links producers to consumers through the plan topics, and marks what enters from outside', () => {
    const links = pipelineLinks({
      agents: [agent('filter', ['homeassistant/state_changes/#'], ['p/lamp-on']), agent('count', ['p/lamp-on'], [])],
      topics: [{ topic: 'p/lamp-on', from: ['filter'], to: ['count'], description: '' }],
    });
    expect(links).toEqual([
      { from: 'filter', topic: 'p/lamp-on', to: 'count' },
      { from: null, topic: 'homeassistant/state_changes/#', to: 'filter' },
    ]);
  });

  it('finds links the plan did not list from subscribes/publishes (with wildcards), once each', () => {
    const links = pipelineLinks({
      agents: [agent('a', [], ['x/1']), agent('b', ['x/+'], ['out/y'])],
      topics: [{ topic: 'out/y', from: ['b'], to: [], description: '' }],
    });
    expect(links).toEqual([
      { from: 'b', topic: 'out/y', to: null },
      { from: 'a', topic: 'x/1', to: 'b' },
    ]);
  });

  it('ignores names in topic contracts that are not agents of the pipeline', () => {
    expect(pipelineLinks({ agents: [agent('a', [], [])], topics: [{ topic: 't', from: ['ghost'], to: ['a'], description: '' }] })).toEqual([{ from: null, topic: 't', to: 'a' }]);
  });
});

describe('mqttMatch', () => {
  it('follows MQTT filter rules', () => {
    expect(mqttMatch('a/+/c', 'a/b/c')).toBe(true);
    expect(mqttMatch('a/+', 'a/b/c')).toBe(false);
    expect(mqttMatch('a/#', 'a')).toBe(true);
    expect(mqttMatch('a/#', 'a/b/c')).toBe(true);
    expect(mqttMatch('a/b', 'a/b')).toBe(true);
    expect(mqttMatch('a/b', 'a/c')).toBe(false);
  });
});
