import { describe, expect, it } from 'vitest';
import { filterCovers, filtersIntersect } from './topic-filters.js';
import { TopicRules, ungrantableTopic } from './topic-rules.js';

describe('topic filter algebra', () => {
  it.each([
    ['#', 'io/chat', true],
    ['+/chat/#', 'io/#', true],
    ['+/+', 'io/chat', true],
    ['+/+/+', 'io/chat', false],
    ['sensors/#', 'io/#', false],
    ['a/#', 'a', true],
    ['a/+', 'a', false],
    ['a/b', 'a/c', false],
    ['+', 'a/b', false],
    ['agents/+/data/#', 'agents/by-name/#', true],
  ])('%s ∩ %s is %s', (a, b, expected) => {
    expect(filtersIntersect(a, b)).toBe(expected);
    expect(filtersIntersect(b, a)).toBe(expected);
  });

  it.each([
    ['#', 'anything/at/all', true],
    ['sensors/#', 'sensors/+/temp', true],
    ['sensors/#', 'sensors', true],
    ['sensors/+/temp', 'sensors/#', false],
    ['a/+', 'a/+', true],
    ['a/+', 'a/b', true],
    ['a/b', 'a/+', false],
    ['a/+', 'a', false],
    ['a', 'a/#', false],
  ])('%s covers %s: %s', (outer, inner, expected) => {
    expect(filterCovers(outer, inner)).toBe(expected);
  });
});

const ME = { id: '11111111-2222-3333-4444-555555555555', name: 'watcher' };
const rules = (grant: Partial<{ publishes: string[]; subscribes: string[]; retained: string[]; capabilities: string[] }> = {}): TopicRules =>
  new TopicRules(ME, { publishes: [], subscribes: [], retained: [], capabilities: [], ...grant });

describe('TopicRules', () => {
  it('an agent owns agents/{id}/… and agents/{name}/…, except commands and manifest', () => {
    const r = rules();
    expect(r.checkPublish(`agents/${ME.id}/data/x`, true)).toBeUndefined();
    expect(r.checkPublish('agents/watcher/result')).toBeUndefined();
    expect(r.checkPublish(`agents/${ME.id}/commands`)).toMatch(/commands/);
    expect(r.checkPublish('agents/watcher/manifest', true)).toMatch(/manifest/);
    expect(r.checkSubscribe('agents/watcher/#')).toBeUndefined();
  });

  it('never publishes in system namespaces or other agents\' topics, whatever the grant', () => {
    const r = rules({ publishes: ['#'], retained: ['#'], capabilities: ['home_assistant'] });
    for (const t of ['io/chat', 'io/chat/response', 'nodes/garage/spawn', 'system/health', 'wactorz/replies/hub-1', 'agents/by-name/x/task', 'agents/other/commands', 'agents/other/data/x', '$SYS/x', 'homeassistant/state_changes']) {
      expect(r.checkPublish(t), t).toBeDefined();
    }
    expect(r.checkPublish('sensors/x', true)).toBeUndefined();
  });

  it('publishes only on declared topics; retained only where a person set it', () => {
    const r = rules({ publishes: ['out/+'], retained: ['out/kept'] });
    expect(r.checkPublish('out/a')).toBeUndefined();
    expect(r.checkPublish('elsewhere')).toMatch(/not among the topics/);
    expect(r.checkPublish('out/a', true)).toMatch(/retained/);
    expect(r.checkPublish('out/kept', true)).toBeUndefined();
  });

  it('refuses subscriptions that reach a forbidden namespace through wildcards', () => {
    const r = rules({ subscribes: ['#'] });
    for (const f of ['#', '+/chat/#', '+/+', 'io/chat', 'nodes/+/spawn', 'agents/#', 'agents/+/chat', 'agents/by-name/#', '$SYS/#', 'wactorz/#', 'homeassistant/#', '+/state_changes']) {
      expect(r.checkSubscribe(f), f).toBeDefined();
    }
    expect(r.checkSubscribe('sensors/#')).toBeUndefined();
    expect(r.checkSubscribe('agents/+/data/#')).toBeUndefined();
    expect(r.checkSubscribe('agents/+/result')).toBeUndefined();
  });

  it('subscribes only to what is declared; Home Assistant with home_assistant', () => {
    expect(rules({ subscribes: ['sensors/+/temp'] }).checkSubscribe('sensors/#')).toMatch(/not among the topics/);
    expect(rules({ subscribes: ['homeassistant/state_changes/#'] }).checkSubscribe('homeassistant/state_changes/#')).toMatch(/home_assistant/);
    expect(rules({ subscribes: ['homeassistant/state_changes/#'], capabilities: ['home_assistant'] }).checkSubscribe('homeassistant/state_changes/light/#')).toBeUndefined();
  });

  it('filters what a wildcard subscription delivers', () => {
    const r = rules({ subscribes: ['agents/+/data/#'] });
    expect(r.readable('agents/other/data/x')).toBe(true);
    expect(r.readable('agents/by-name/data/task')).toBe(false);
    expect(r.readable('agents/other/logs')).toBe(false);
    expect(r.readable('homeassistant/state_changes')).toBe(false);
    expect(r.readable('io/chat')).toBe(false);
  });

  it('a name cannot pose as an id or a system level', () => {
    const posing = new TopicRules({ id: ME.id, name: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' }, { publishes: [], subscribes: [], retained: [], capabilities: [] });
    expect(posing.checkPublish('agents/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/chat')).toMatch(/another agent/);
    const byName = new TopicRules({ id: ME.id, name: 'by-name' }, { publishes: [], subscribes: [], retained: [], capabilities: [] });
    expect(byName.checkPublish('agents/by-name/main/task')).toMatch(/tasks/);
  });

  it('says which declared topics can never be granted', () => {
    expect(ungrantableTopic('publishes', 'io/chat/response', ME)).toMatch(/io/);
    expect(ungrantableTopic('subscribes', 'agents/+/logs', ME)).toMatch(/data/);
    // A declared filter may not reach where agent code never goes: `#` is refused, not "everything".
    expect(ungrantableTopic('subscribes', '#', ME)).toMatch(/io/);
    expect(ungrantableTopic('publishes', '#', ME)).toMatch(/io/);
    expect(ungrantableTopic('publishes', 'alerts/+', ME)).toBeUndefined();
    expect(ungrantableTopic('subscribes', 'agents/+/data/#', ME)).toBeUndefined();
    expect(ungrantableTopic('subscribes', 'homeassistant/state_changes/#', ME)).toBeUndefined();
    expect(ungrantableTopic('publishes', 'agents/+/data', ME)).toMatch(/agents\//);
    expect(ungrantableTopic('publishes', 'agents/other/data', ME)).toMatch(/other agents/);
    expect(ungrantableTopic('publishes', `agents/${ME.id}/data/x`, ME)).toBeUndefined();
    expect(ungrantableTopic('publishes', 'homeassistant/state_changes/light/x', ME)).toMatch(/bridge/);
    expect(ungrantableTopic('publishes', 'bad/#/x', ME)).toMatch(/#/);
  });
});
