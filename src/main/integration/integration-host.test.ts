/**
 * The integration host on a real ActorSystem (real SQLite, in-memory bus): the order of supervise,
 * start and stop; actors stop before their integrations; a start-up that fails halfway stops what
 * was added; contributions (routes, commands, spawn types, WebSocket endpoints) are collected.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Actor } from '../core/actor.js';
import { Teardown } from '../core/teardown.js';
import { createTestSystem, type TestSystem } from '../core/testing/test-system.js';
import type { Integration } from './integration.js';
import { IntegrationHost } from './integration-host.js';
import type { SpawnType } from './spawn-types.js';

let t: TestSystem;
let teardown: Teardown;
const events: string[] = [];

class Probe extends Actor {
  protected override onStop(): void {
    events.push(`actor ${this.name} stopped`);
  }
}

function probe(name: string, extra: Partial<Integration> = {}): Integration {
  return {
    name,
    supervise: (system) => {
      events.push(`${name} supervise`);
      system.supervise(`${name}-actor`, () => new Probe({ name: `${name}-actor` }));
    },
    start: () => {
      // Its actor runs by now.
      events.push(`${name} start (actor ${t.system.get(`${name}-actor`)?.state})`);
    },
    drain: () => void events.push(`${name} drain (actor ${t.system.get(`${name}-actor`)?.state})`),
    stop: () => void events.push(`${name} stop (actor ${t.system.get(`${name}-actor`)?.state})`),
    ...extra,
  };
}

const spawnType = (type: string): SpawnType => ({
  type,
  spawn: async () => ({ message: type }),
  restore: () => ({ build: () => new Probe({ name: type }) }),
});

beforeEach(async () => {
  events.length = 0;
  t = await createTestSystem();
  teardown = new Teardown();
});
afterEach(async () => {
  await teardown.close();
  await t.close();
});

describe('IntegrationHost', () => {
  it('supervises and starts in add order; at stop drains (newest first), stops the actors, then the integrations', async () => {
    const host = new IntegrationHost({ system: t.system, teardown });
    host.add(probe('a')).add(probe('b'));
    await host.start();
    expect(events).toEqual(['a supervise', 'b supervise', 'a start (actor running)', 'b start (actor running)']);
    events.length = 0;
    await teardown.close();
    expect(events).toEqual(['b drain (actor running)', 'a drain (actor running)', 'actor b-actor stopped', 'actor a-actor stopped', 'b stop (actor stopped)', 'a stop (actor stopped)']);
  });

  it('collects routes, commands, WebSocket endpoints and spawn types', async () => {
    const route = async (): Promise<void> => {};
    const host = new IntegrationHost({ system: t.system, teardown });
    host.add({ name: 'x', routes: [route], commands: [{ name: 'hi', usage: '/hi', help: 'says hi', run: () => 'hi' }], spawnTypes: [spawnType('alpha')] });
    host.add({ name: 'y', webSockets: [{ path: '/ws', attach: () => () => {} }], spawnTypes: [spawnType('beta')] });
    expect(host.routes).toEqual([route]);
    expect(host.commands.map((c) => c.name)).toEqual(['hi']);
    expect(host.webSockets.map((w) => w.path)).toEqual(['/ws']);
    expect(host.spawnTypes.names()).toEqual(['alpha', 'beta']);
    expect(() => host.add({ name: 'z', spawnTypes: [spawnType('alpha')] })).toThrow(/alpha.*registered twice/);
    expect(() => host.add({ name: 'x' })).toThrow(/added twice/);
  });

  it('a failing start names the integration; everything added is still stopped', async () => {
    const host = new IntegrationHost({ system: t.system, teardown });
    host.add(probe('a')).add(probe('b', { start: () => Promise.reject(new Error('no broker')) })).add(probe('c'));
    await expect(host.start()).rejects.toThrow('b did not start: no broker');
    events.length = 0;
    await teardown.close();
    expect(events).toEqual([
      'c drain (actor running)',
      'b drain (actor running)',
      'a drain (actor running)',
      'actor c-actor stopped',
      'actor b-actor stopped',
      'actor a-actor stopped',
      'c stop (actor stopped)',
      'b stop (actor stopped)',
      'a stop (actor stopped)',
    ]);
  });

  it('reconfigure reaches every integration that takes settings', async () => {
    const seen: unknown[] = [];
    const host = new IntegrationHost({ system: t.system, teardown });
    host.add({ name: 'ha', reconfigure: (s) => void seen.push(s.homeAssistant) }).add({ name: 'other' });
    await host.start();
    await host.reconfigure({ homeAssistant: { url: 'http://ha.local:8123' } });
    expect(seen).toEqual([{ url: 'http://ha.local:8123' }]);
    expect(() => host.add({ name: 'late' })).toThrow(/after start/);
  });
});
