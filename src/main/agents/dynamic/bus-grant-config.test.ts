/** An agent's bus grant from its stored config: declared topics, or — stored before declarations existed — what it had. */
import { describe, expect, it } from 'vitest';
import { busGrantOf, readStoredConfig } from './agent-config.js';
import { TopicRules } from '../../grants/topic-rules.js';

describe('busGrantOf', () => {
  it('a config with declarations: exactly them', () => {
    const g = busGrantOf(readStoredConfig({ capabilities: ['fetch'], publishes: ['alerts/#'], subscribes: ['sensors/#'], send_to: ['b'], hub_actors: ['main'] }));
    expect(g).toEqual({ capabilities: ['fetch'], publishes: ['alerts/#'], subscribes: ['sensors/#'], retained: [], send_to: ['b'], hub_actors: ['main'] });
  });

  it('a config stored before declared topics keeps what it had, outside the never-granted namespaces', () => {
    const g = busGrantOf(readStoredConfig({ capabilities: ['fetch'], publishes: ['x/y'] }));
    expect(g).toMatchObject({ publishes: ['#'], subscribes: ['#'], retained: ['#'], send_to: ['*'], hub_actors: ['*'] });
    const rules = new TopicRules({ id: 'id-1', name: 'old' }, g);
    expect(rules.checkPublish('sensors/x', true)).toBeUndefined();
    expect(rules.checkSubscribe('sensors/#')).toBeUndefined();
    expect(rules.checkPublish('io/chat')).toMatch(/io/);
    expect(rules.checkSubscribe('#')).toMatch(/io/);
    expect(rules.checkSubscribe('homeassistant/state_changes/#')).toBeUndefined();
    expect(rules.checkPublish('homeassistant/state_changes/x')).toMatch(/bridge/);
  });
});
