/** Hub actors an agent asks with sendTo, as approvals items (`send_to:NAME`): the policy's side of the bus grant. */
import { describe, expect, it } from 'vitest';
import { decideGrant, DEFAULT_APPROVAL_LIMITS, revocableItems, withItems, withoutItems } from '../approvals/grant-policy.js';
import { specWith } from '../approvals/decisions.js';

const ask = { capabilities: [], env_names: [], limits: {}, send_to: ['main', 'home-assistant-agent'] };

describe('send_to items', () => {
  it('a person gets the hub actors asked; an LLM or an agent waits for a person', () => {
    expect(decideGrant(ask, { kind: 'person', name: 'rest', via: 'rest' }, 'dynamic', DEFAULT_APPROVAL_LIMITS).now.send_to).toEqual(['main', 'home-assistant-agent']);
    const llm = decideGrant(ask, { kind: 'llm', name: 'main', via: 'spawn_block' }, 'dynamic', DEFAULT_APPROVAL_LIMITS);
    expect(llm.now.send_to ?? []).toEqual([]);
    expect(llm.pending.map((i) => [i.key, i.kind, i.label])).toEqual([
      ['send_to:main', 'send_to', 'ask the hub’s main actor with sendTo'],
      ['send_to:home-assistant-agent', 'send_to', 'ask the hub’s home-assistant-agent actor with sendTo'],
    ]);
  });

  it('approving adds the actor, revoking takes it back; a waiting spawn keeps only the approved ones', () => {
    const llm = decideGrant(ask, { kind: 'llm', name: 'main', via: 'spawn_block' }, 'dynamic', DEFAULT_APPROVAL_LIMITS);
    const granted = withItems(llm.now, [{ ...llm.pending[0]!, state: 'approved' }]);
    expect(granted.send_to).toEqual(['main']);
    expect(revocableItems(granted, DEFAULT_APPROVAL_LIMITS)).toContain('send_to:main');
    expect(withoutItems(granted, ['send_to:main'], DEFAULT_APPROVAL_LIMITS).send_to ?? []).toEqual([]);
    const spec = specWith({ name: 'x', send_to: ['main', 'home-assistant-agent', 'summariser'] }, [{ ...llm.pending[0]!, state: 'approved' }, { ...llm.pending[1]!, state: 'denied' }], DEFAULT_APPROVAL_LIMITS);
    expect(spec.send_to).toEqual(['main', 'summariser']);
  });
});
