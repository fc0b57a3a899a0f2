import { describe, expect, it } from 'vitest';
import { actorIdFor } from '../core/actor-id.js';
import { desiredStateSchema, nodeActorName, parseNodeTopic, readTaskEnvelope, spawnCommandSchema } from '../../shared/node-protocol.js';
import { nodeActorId } from './protocol.js';

describe('the task envelope on agents/by-name/{name}/task', () => {
  it('takes the envelope fields out of a plain task object', () => {
    const r = readTaskEnvelope(Buffer.from(JSON.stringify({ action: 'inc', n: 2, reply_to: 'r/1', correlation_id: 'c1', from: 'cli' })));
    expect(r).toEqual({ ok: true, envelope: { task: { action: 'inc', n: 2 }, replyTo: 'r/1', correlationId: 'c1', taskId: 'c1', from: 'cli' } });
  });

  it('uses `payload` as the task when present, and task_id for deduplication', () => {
    const r = readTaskEnvelope(JSON.stringify({ payload: [1, 2], reply_to: 'r/2', correlation_id: 'c2', task_id: 't2' }));
    expect(r).toEqual({ ok: true, envelope: { task: [1, 2], replyTo: 'r/2', correlationId: 'c2', taskId: 't2' } });
  });

  it('passes any other JSON value through, and text as {text}, without a reply', () => {
    expect(readTaskEnvelope('42')).toEqual({ ok: true, envelope: { task: 42 } });
    expect(readTaskEnvelope('[1]')).toEqual({ ok: true, envelope: { task: [1] } });
    expect(readTaskEnvelope('turn it on')).toEqual({ ok: true, envelope: { task: { text: 'turn it on' } } });
  });

  it('refuses an envelope field of the wrong type', () => {
    const r = readTaskEnvelope(JSON.stringify({ action: 'x', reply_to: 5 }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/reply_to/);
  });
});

describe('node protocol payloads', () => {
  it('validates a spawn command with defaults, and refuses one without code or id', () => {
    const cmd = spawnCommandSchema.parse({ command_id: 'c1', name: 'counter', code: 'export async function handleTask(){}' });
    expect(cmd).toMatchObject({ type: 'dynamic', language: 'javascript', version: 1, capabilities: [], env: [], config: {} });
    expect(spawnCommandSchema.safeParse({ command_id: 'c1', name: 'counter' }).success).toBe(false);
    expect(spawnCommandSchema.safeParse({ name: 'counter', code: 'x' }).success).toBe(false);
    expect(spawnCommandSchema.safeParse({ command_id: 'c1', name: 'bad name', code: 'x' }).success).toBe(false);
  });

  it('validates a desired state', () => {
    const ok = desiredStateSchema.safeParse({ command_id: 'd1', revision: 3, timestamp: 1, agents: [{ command_id: 'c1', name: 'a', code: 'x', state: { n: 1 } }] });
    expect(ok.success).toBe(true);
    expect(desiredStateSchema.safeParse({ command_id: 'd1', timestamp: 1, agents: [] }).success).toBe(false);
  });

  it('parses node topics and names the node pseudo-actor with a stable id', () => {
    expect(parseNodeTopic('nodes/garage/heartbeat')).toEqual({ node: 'garage', kind: 'heartbeat' });
    expect(parseNodeTopic('agents/x/heartbeat')).toBeUndefined();
    expect(parseNodeTopic('nodes/garage/a/b')).toBeUndefined();
    expect(nodeActorName('garage')).toBe('node:garage');
    expect(nodeActorId('garage')).toBe(actorIdFor('node:garage'));
    expect(nodeActorId('garage')).not.toBe(nodeActorId('attic'));
  });
});
