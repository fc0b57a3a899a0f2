import { describe, expect, it } from 'vitest';
import { declareGrant, type DeclareContext } from './declared-topics.js';

const ME = { id: '11111111-2222-3333-4444-555555555555', name: 'watcher' };
const CODE_AGENTS = new Set(['summariser']);
const ctx = (byPerson: boolean): DeclareContext => ({ agent: ME, byPerson, isCodeAgent: (n) => CODE_AGENTS.has(n) });

describe('declareGrant', () => {
  it('keeps what may be granted, refuses (and says) what agent code can never have', () => {
    const { grant, refused } = declareGrant(
      { capabilities: [], publishes: ['alerts/#', 'nodes/garage/spawn', '#'], subscribes: ['agents/+/data/#', 'io/chat', '#', 'sensors/+/temp'] },
      ctx(true),
    );
    expect(grant.publishes).toEqual(['alerts/#']);
    expect(grant.subscribes).toEqual(['agents/+/data/#', 'sensors/+/temp']);
    expect(refused.map((r) => `${r.action} ${r.value}`)).toEqual(['publish nodes/garage/spawn', 'publish #', 'subscribe io/chat', 'subscribe #']);
    expect(refused[0]!.reason).toMatch(/nodes\/…/);
  });

  it('a subscription to Home Assistant topics asks for home_assistant', () => {
    expect(declareGrant({ capabilities: ['fetch'], subscribes: ['homeassistant/state_changes/#'] }, ctx(false)).grant.capabilities).toEqual(['fetch', 'home_assistant']);
    expect(declareGrant({ capabilities: [], subscribes: ['sensors/#'] }, ctx(false)).grant.capabilities).toEqual([]);
  });

  it('send_to: code agents by declaration; anything else is a hub actor, asked of approvals', () => {
    const { grant } = declareGrant({ capabilities: [], send_to: ['summariser', 'main', 'home-assistant-agent', 'not-yet-spawned', 'watcher'] }, ctx(false));
    expect(grant.send_to).toEqual(['summariser', 'main', 'home-assistant-agent', 'not-yet-spawned']);
    expect(grant.hub_actors).toEqual(['main', 'home-assistant-agent', 'not-yet-spawned']);
  });

  it('"*" and retained topics only from a person', () => {
    const llm = declareGrant({ capabilities: [], send_to: ['*'], retained: ['alerts/kept'] }, ctx(false));
    expect(llm.grant.send_to).toEqual([]);
    expect(llm.grant.retained).toEqual([]);
    expect(llm.refused.map((r) => r.action)).toEqual(['retain', 'send_to']);
    const person = declareGrant({ capabilities: [], send_to: ['*'], retained: ['alerts/kept', 'io/chat'] }, ctx(true));
    expect(person.grant).toMatchObject({ send_to: ['*'], hub_actors: ['*'], retained: ['alerts/kept'] });
  });

  it('what the hub decided for a node is kept; undeclared lists stay undeclared (a replace keeps its own)', () => {
    const { grant } = declareGrant({ capabilities: [], send_to: ['main', 'summariser'], hub_actors: [] }, ctx(true));
    expect(grant.hub_actors).toEqual([]);
    const bare = declareGrant({ capabilities: ['llm'] }, ctx(false)).grant;
    expect(bare).toEqual({ capabilities: ['llm'], hub_actors: [] });
  });
});
