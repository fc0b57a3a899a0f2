import { describe, expect, it } from 'vitest';
import { stableClientId } from './client-id.js';
import { OfflineOutbox } from './offline-outbox.js';
import { OrphanBuffer } from './orphan-buffer.js';
import { ReconnectBackoff } from './reconnect-backoff.js';
import { TopicError, assertPublishTopic, assertTopicFilter, wildcardSkipsTopic } from './topic-validation.js';

describe('ReconnectBackoff', () => {
  it('grows by the factor up to the cap and starts over after reset', () => {
    const b = new ReconnectBackoff({ initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(b.attempts).toBe(6);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('spreads delays by the jitter and never exceeds the cap', () => {
    const low = new ReconnectBackoff({ initialMs: 1_000, maxMs: 1_000, jitter: 0.2 }, () => 0);
    const high = new ReconnectBackoff({ initialMs: 1_000, maxMs: 1_000, jitter: 0.2 }, () => 0.999_999);
    expect(low.next()).toBe(800);
    expect(high.next()).toBe(1_000);
  });
});

describe('OfflineOutbox', () => {
  const e = (topic: string, qos: 0 | 1, retain = false, payload = topic) => ({ topic, payload: Buffer.from(payload), qos, retain });

  it('keeps publish order and lets a retained message replace the queued one of its topic', () => {
    const box = new OfflineOutbox({ maxQos0: 10, maxQos1: 10 });
    box.add(e('a', 1));
    box.add(e('m', 0, true, 'old'));
    box.add(e('b', 0));
    box.add(e('m', 0, true, 'new'));
    box.add(e('c', 1));
    expect(box.size).toBe(4);
    expect(box.drain().map((x) => `${x.topic}:${x.payload.toString()}`)).toEqual(['a:a', 'b:b', 'm:new', 'c:c']);
    expect(box.size).toBe(0);
  });

  it('drops the oldest beyond each bound and counts the drops', () => {
    const box = new OfflineOutbox({ maxQos0: 2, maxQos1: 3 });
    for (let i = 0; i < 5; i++) box.add(e(`q0/${i}`, 0));
    for (let i = 0; i < 5; i++) box.add(e(`q1/${i}`, 1));
    expect(box.dropped).toBe(5);
    expect(box.drain().map((x) => x.topic)).toEqual(['q0/3', 'q0/4', 'q1/2', 'q1/3', 'q1/4']);
    expect(box.dropped).toBe(0);
  });
});

describe('OrphanBuffer', () => {
  it('hands a message once per matching pattern, and forgets it after maxAge or beyond maxMessages', () => {
    let t = 0;
    const buf = new OrphanBuffer({ maxAgeMs: 1_000, maxMessages: 3 }, () => t);
    buf.add('agents/by-name/echo/task', Buffer.from('1'));
    buf.add('nodes/pi/spawn', Buffer.from('2'));
    expect(buf.claim('agents/by-name/+/task').map((m) => m.payload.toString())).toEqual(['1']);
    expect(buf.claim('agents/by-name/+/task')).toEqual([]);
    expect(buf.claim('#').map((m) => m.topic)).toEqual(['agents/by-name/echo/task', 'nodes/pi/spawn']);
    t = 1_001;
    expect(buf.size).toBe(0);
    for (let i = 0; i < 5; i++) buf.add(`x/${i}`, Buffer.from(String(i)));
    expect(buf.claim('x/#').map((m) => m.topic)).toEqual(['x/2', 'x/3', 'x/4']);
  });

  it('keeps $ topics from wildcard-first patterns', () => {
    const buf = new OrphanBuffer({ maxAgeMs: 1_000, maxMessages: 10 });
    buf.add('$SYS/x', Buffer.from('s'));
    expect(buf.claim('#')).toEqual([]);
    expect(buf.claim('$SYS/#')).toHaveLength(1);
  });
});

describe('topic validation', () => {
  it('accepts MQTT topics and filters', () => {
    expect(() => assertPublishTopic('agents/abc/heartbeat')).not.toThrow();
    for (const f of ['#', '+', 'agents/+/heartbeat', 'agents/#', '+/+/x', 'a//b', '$SYS/#']) expect(() => assertTopicFilter(f)).not.toThrow();
  });

  it('refuses wildcards in publish topics, misplaced wildcards, empty and NUL topics', () => {
    for (const t of ['a/+', 'a/#', '', 'a\u0000b']) expect(() => assertPublishTopic(t)).toThrow(TopicError);
    for (const f of ['a/#/b', 'a#', 'a/b+', '+a', '', 'x\u0000']) expect(() => assertTopicFilter(f)).toThrow(TopicError);
    expect(() => assertPublishTopic(Array.from({ length: 101 }, () => 'x').join('/'))).toThrow(/levels/);
  });

  it('keeps $ topics away from filters that start with a wildcard', () => {
    expect(wildcardSkipsTopic('#', '$SYS/x')).toBe(true);
    expect(wildcardSkipsTopic('+/x', '$SYS/x')).toBe(true);
    expect(wildcardSkipsTopic('$SYS/#', '$SYS/x')).toBe(false);
    expect(wildcardSkipsTopic('#', 'agents/x')).toBe(false);
  });
});

describe('stableClientId', () => {
  it('is stable per seed, distinct across seeds, and at most 23 characters', () => {
    const a = stableClientId('hub:host:/state');
    expect(stableClientId('hub:host:/state')).toBe(a);
    expect(stableClientId('hub:host:/other')).not.toBe(a);
    expect(a.startsWith('wactorz-')).toBe(true);
    expect(a.length).toBeLessThanOrEqual(23);
  });
});
