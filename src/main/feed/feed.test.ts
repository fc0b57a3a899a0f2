/**
 * The activity feed: the publisher's rules (ids, schema check, dedupe, rate limit, batches, the
 * retained window, paging) and every source, over a real ActorSystem (in-memory bus).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { feedBatchMessageSchema, feedPageSchema, type FeedEvent, type FeedEventInput } from '../../shared/feed.js';
import { parsePayload } from '../../shared/mqtt-payloads.js';
import type { NodeInfo } from '../../shared/rest.js';
import { topics } from '../../shared/topics.js';
import { Actor } from '../core/actor.js';
import { MemoryBus } from '../core/testing/memory-bus.js';
import { createTestSystem, type TestSystem } from '../core/testing/test-system.js';
import { FeedPublisher } from './feed-publisher.js';
import { createFeed, type FeedPart } from './index.js';

const ev = (name: string, text = `${name} spawned`): FeedEventInput => ({ kind: 'spawned', subject: { type: 'agent', name }, text, detail: {} });

describe('FeedPublisher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('assigns ids and times, batches live events, and keeps a retained window newest first', () => {
    const bus = new MemoryBus();
    const feed = new FeedPublisher({ bus, batchMs: 250, recentMs: 1_000, recent: 2 });
    feed.publish(ev('a'));
    feed.publish(ev('b'));
    feed.publish(ev('c'));
    expect(bus.published).toHaveLength(0);
    vi.advanceTimersByTime(250);
    const live = bus.published.filter((p) => p.topic === topics.systemFeed);
    expect(live).toHaveLength(1); // a burst is one message
    const batch = parsePayload(feedBatchMessageSchema, live[0]!.payload);
    if (!batch.ok) throw new Error(batch.error);
    expect(batch.value.events.map((e) => e.subject.name)).toEqual(['a', 'b', 'c']);
    const ids = batch.value.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(3);
    vi.advanceTimersByTime(1_000);
    const recent = bus.published.filter((p) => p.topic === topics.systemFeedRecent);
    expect(recent.every((r) => r.retain)).toBe(true);
    const page = parsePayload(feedPageSchema, recent.at(-1)!.payload);
    if (!page.ok) throw new Error(page.error);
    expect(page.value.events.map((e) => e.subject.name)).toEqual(['c', 'b']);
    expect(page.value.more).toBe(true);
  });

  it('refuses an event its kind’s schema refuses, says the same thing once per window, and cuts floods', () => {
    const log = vi.fn();
    const feed = new FeedPublisher({ bus: new MemoryBus(), log, dedupeMs: 10_000, maxPerSecond: 5 });
    expect(feed.publish({ kind: 'deployed', subject: { type: 'agent', name: 'x' }, text: 'x', detail: {} } as unknown as FeedEventInput)).toBeNull();
    expect(log).toHaveBeenCalledWith('warning', expect.stringContaining('refused a deployed event'));
    expect(feed.publish(ev('a', 'same'))).not.toBeNull();
    expect(feed.publish(ev('a', 'same'))).toBeNull();
    vi.advanceTimersByTime(10_001);
    expect(feed.publish(ev('a', 'same'))).not.toBeNull();
    vi.advanceTimersByTime(1_000);
    for (let i = 0; i < 8; i++) feed.publish(ev(`n${i}`));
    expect(feed.dropped).toBe(3);
  });

  it('pages the backlog newest first, filtered by kind, subject and text', () => {
    const feed = new FeedPublisher({ bus: new MemoryBus(), backlog: 5 });
    for (let i = 1; i <= 7; i++) feed.publish(ev(`a${i}`));
    feed.publish({ kind: 'alert', subject: { type: 'agent', name: 'a7' }, text: 'too hot: 31 °C', detail: { severity: 'warning' } });
    const all = feed.query({ limit: 100 });
    expect(all.events.map((e) => e.subject.name)).toEqual(['a7', 'a7', 'a6', 'a5', 'a4']); // bounded at 5
    const first = feed.query({ limit: 2 });
    expect(first.more).toBe(true);
    const next = feed.query({ limit: 2, before: first.events[1]!.id });
    expect(next.events.map((e) => e.subject.name)).toEqual(['a6', 'a5']);
    expect(feed.query({ limit: 10, kind: ['alert'] }).events.map((e) => e.text)).toEqual(['too hot: 31 °C']);
    expect(feed.query({ limit: 10, subject: 'a5' }).events).toHaveLength(1);
    expect(feed.query({ limit: 10, q: 'HOT' }).events).toHaveLength(1);
  });
});

class Coder extends Actor {
  spec = { version: 1 };
  protected override onStart(): void {
    if ((this as { boom?: boolean }).boom) throw new Error('bad start');
  }
  override heartbeatExtras(): Record<string, unknown> {
    return { code_version: this.spec.version };
  }
}

describe('FeedSources', () => {
  let t: TestSystem;
  let part: FeedPart;
  let nodes: NodeInfo[];
  const events = (): FeedEvent[] => part.publisher.query({ limit: 500 }).events.reverse();
  const nodeInfo = (name: string, online: boolean): NodeInfo => ({ name, online, last_seen: null, agents: ['x'], agent_states: {}, load: null, memory_mb: null, cpus: null, hostname: null, placed: [], pending_commands: 0, alert: null });

  beforeEach(async () => {
    t = await createTestSystem();
    nodes = [nodeInfo('garage', false)];
    part = createFeed({ system: t.system, nodes: { listNodes: () => nodes }, presenceMs: 60_000, dedupeMs: 0 });
    part.start();
  });

  afterEach(async () => {
    part.stop();
    await t.close();
  });

  it('says agents spawned (with the version), deployed, stopped, failed and deleted', async () => {
    const a = await t.system.spawn(new Coder({ name: 'sim', kind: 'dynamic' }));
    a.spec.version = 2;
    t.system.telemetry.beat(a); // what a hot-swap does
    await t.system.stop('sim');
    const b = new Coder({ name: 'broken' });
    (b as { boom?: boolean }).boom = true;
    await t.system.spawn(b).catch(() => undefined);
    await t.system.spawn(new Coder({ name: 'gone' }));
    await t.system.remove('gone');
    const said = events().map((e) => `${e.kind}: ${e.text}`);
    expect(said).toEqual(
      expect.arrayContaining([
        'spawned: sim spawned (version 1)',
        'deployed: sim: version 2 deployed (was 1)',
        'stopped: sim stopped',
        expect.stringMatching(/^failed: broken crashed: bad start/),
        'deleted: gone deleted',
      ]),
    );
    const deployed = events().find((e) => e.kind === 'deployed')!;
    expect(deployed.subject).toEqual({ type: 'agent', name: 'sim', id: a.actorId });
    expect(deployed.detail).toEqual({ version: 2, previous: 1 });
    // A restored agent's first heartbeat is not a deploy.
    expect(said.filter((s) => s.startsWith('deployed'))).toHaveLength(1);
  });

  it('says alerts (nodes’ too), installs, and nodes coming online and going offline', () => {
    t.bus.publish(topics.agent('id1', 'alert'), { actor_id: 'id1', name: 'alerter', message: 'too hot: 31 °C', severity: 'warning', timestamp: 1 });
    t.bus.publish(topics.agent('id2', 'alert'), { actor_id: 'id2', name: 'node:garage', message: 'node garage is silent', severity: 'critical', timestamp: 1 });
    t.bus.publish('installer/progress', { job_id: 'j1', packages: ['lodash'], status: 'running', message: '…' });
    t.bus.publish('installer/progress', { job_id: 'j1', packages: ['lodash'], status: 'done', agent: 'sim', message: 'installed lodash@4' });
    t.bus.publish('installer/progress', { job_id: 'j2', packages: ['nope'], status: 'failed', message: 'install failed: 404' });
    nodes = [nodeInfo('garage', true)];
    part.sources.lookAtNodes();
    nodes = [nodeInfo('garage', false)];
    part.sources.lookAtNodes();
    const said = events().map((e) => [e.kind, e.subject.type, e.subject.name, e.text]);
    expect(said).toEqual([
      ['alert', 'agent', 'alerter', 'too hot: 31 °C'],
      ['alert', 'node', 'garage', 'node garage is silent'],
      ['installed', 'package', 'lodash', 'installed lodash for sim'],
      ['install_failed', 'package', 'nope', 'install failed: 404'],
      ['node_online', 'node', 'garage', 'node garage is online (1 agent)'],
      ['node_offline', 'node', 'garage', 'node garage went offline'],
    ]);
  });

  it('ignores malformed payloads without a word to the feed', () => {
    t.bus.publish(topics.agent('id1', 'alert'), 'not json');
    t.bus.publish(topics.agent('id1', 'alert'), { actor_id: 'id1' });
    t.bus.publish('installer/progress', { status: 'done' });
    expect(events()).toEqual([]);
  });
});
