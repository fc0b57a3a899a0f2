/**
 * Location transparency in the ActorSystem: a name or id that no local actor has goes to a
 * registered RemoteActors resolver. The "remote" here is a second, real ActorSystem (its own
 * persistence and bus) reached through a resolver; the hub's real one (the node registry, over
 * MQTT) is tested in src/main/nodes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../../shared/message.js';
import { Actor } from './actor.js';
import { actorIdFor } from './actor-id.js';
import { AskError } from './errors.js';
import { makeMessage } from './message-factory.js';
import type { RemoteActors } from './remote-actors.js';
import { createTestSystem, type TestSystem } from './testing/test-system.js';
import { waitUntil } from '../testing/wait.js';

class Echo extends Actor {
  readonly seen: unknown[] = [];
  protected override handleTask(payload: unknown): unknown {
    this.seen.push(payload);
    if (payload === 'fail') throw new Error('echo refuses "fail"');
    return { echo: payload, by: this.system.node ?? 'here' };
  }
}

/** Sends a TASK with `send` and keeps whatever comes back in its inbox. */
class Sender extends Actor {
  readonly received: Message[] = [];
  protected override handleMessage(msg: Message): void {
    this.received.push(msg);
  }
}

/** Reaches the actors of another ActorSystem. */
function resolverFor(other: TestSystem, asked: string[] = []): RemoteActors {
  return {
    resolve: (nameOrId) => other.system.get(nameOrId)?.name,
    ask: (name, payload, timeoutMs, from) => {
      asked.push(`${from} → ${name}`);
      return other.system.ask(name, payload, timeoutMs, from);
    },
    tell: (name, payload, from) => other.system.deliver(makeMessage('TASK', from, name, payload)),
  };
}

let here: TestSystem;
let there: TestSystem;
beforeEach(async () => {
  here = await createTestSystem();
  there = await createTestSystem({ node: 'there' });
});
afterEach(async () => {
  await here.close();
  await there.close();
});

describe('RemoteActors', () => {
  it('ask reaches an actor of another system by name or id, and its errors come back typed', async () => {
    await there.system.spawn(new Echo({ name: 'far' }));
    const asked: string[] = [];
    here.system.addRemote(resolverFor(there, asked));
    expect(await here.system.ask('far', 1, 5_000, 'tester')).toEqual({ echo: 1, by: 'there' });
    expect(await here.system.ask(actorIdFor('far'), 2)).toEqual({ echo: 2, by: 'there' });
    expect(asked).toEqual(['tester → far', 'external → far']);
    const e = await here.system.ask('far', 'fail').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AskError);
    expect((e as AskError).payload.error).toMatch(/refuses "fail"/);
    // Nobody has it: not_found, as before.
    await expect(here.system.ask('nobody', 1)).rejects.toMatchObject({ kind: 'not_found' });
  });

  it("an actor's ask and send reach it too; send with replyTo gets the RESULT as a message", async () => {
    const far = await there.system.spawn(new Echo({ name: 'far' }));
    here.system.addRemote(resolverFor(there));
    const sender = await here.system.spawn(new Sender({ name: 'sender' }));
    expect(sender.send('far', 'TASK', 'fire and forget')).toBe(true);
    await waitUntil(() => far.seen.includes('fire and forget'), 'the far actor handling the message', 5_000);

    expect(sender.send('far', 'TASK', 'answer me', { replyTo: 'sender', correlationId: 'c-1' })).toBe(true);
    await waitUntil(() => sender.received.length === 1, 'the RESULT', 5_000);
    expect(sender.received[0]).toMatchObject({ type: 'RESULT', sender: 'far', recipient: 'sender', correlationId: 'c-1', payload: { echo: 'answer me', by: 'there' } });
    expect(sender.send('far', 'TASK', 'fail', { replyTo: 'sender', correlationId: 'c-2' })).toBe(true);
    await waitUntil(() => sender.received.length === 2, 'the ERROR', 5_000);
    expect(sender.received[1]).toMatchObject({ type: 'ERROR', correlationId: 'c-2', payload: { error: expect.stringMatching(/refuses/) } });

    // Only TASKs travel; nobody there → false, as for any unknown recipient.
    expect(sender.send('far', 'COMMAND', {})).toBe(false);
    expect(sender.send('nobody', 'TASK', {})).toBe(false);
  });

  it('a local actor of that name wins; a removed resolver is no longer asked', async () => {
    await there.system.spawn(new Echo({ name: 'twin' }));
    const off = here.system.addRemote(resolverFor(there));
    await here.system.spawn(new Echo({ name: 'twin' }));
    expect(await here.system.ask('twin', 'x')).toEqual({ echo: 'x', by: 'here' });
    await here.system.remove('twin');
    expect(await here.system.ask('twin', 'y')).toEqual({ echo: 'y', by: 'there' });
    off();
    await expect(here.system.ask('twin', 'z')).rejects.toMatchObject({ kind: 'not_found' });
  });
});
