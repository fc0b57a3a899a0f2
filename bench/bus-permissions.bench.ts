/**
 * bus-permissions: what the hub's check of an agent's publish costs (src/main/grants/topic-rules.ts,
 * per publish of agent code), against the topic-shape check every publish already had
 * (assertPublishTopic) — the same topics, in the same process.
 *
 *  - `bus-permissions-publish`: ns per publish check over a mix of topics an agent publishes on
 *    (its own namespace, declared topics, a refused one), through TopicRules (verdicts cached per
 *    topic, as an agent publishes on a few topics many times).
 *  - `bus-permissions-subscribe-cold`: ns per subscribe verdict on fresh filters (filter
 *    intersection against every forbidden namespace; no cache), against assertTopicFilter.
 * Each figure is the median of several timed runs after a warm-up.
 */
import { assertPublishTopic, assertTopicFilter } from '../src/main/broker/topic-validation.js';
import { TopicRules } from '../src/main/grants/topic-rules.js';

const ME = { id: '11111111-2222-3333-4444-555555555555', name: 'bench-agent' };
const GRANT = { capabilities: [], publishes: ['sensors/+/temp', 'alerts/#'], subscribes: ['agents/+/data/#', 'sensors/#'], retained: [] };
const TOPICS = [`agents/${ME.id}/data/x`, 'agents/bench-agent/result', 'sensors/kitchen/temp', 'alerts/high', 'io/chat', 'elsewhere/x'];
const N = 2_000_000;
const RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void): number {
  fn(); // warm-up
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    runs.push(Number(process.hrtime.bigint() - t0));
  }
  return median(runs);
}

let sink = 0;
const rules = new TopicRules(ME, GRANT);
const checked = time(() => {
  for (let i = 0; i < N; i++) sink += rules.checkPublish(TOPICS[i % TOPICS.length]!) ? 1 : 0;
});
const shape = time(() => {
  for (let i = 0; i < N; i++) {
    assertPublishTopic(TOPICS[i % TOPICS.length]!);
    sink++;
  }
});
console.log(`BENCH bus-permissions-publish ${(checked / N).toFixed(1)} ns baseline=${(shape / N).toFixed(1)} ratio=${(checked / shape).toFixed(2)}`);

const FILTERS = Array.from({ length: 20_000 }, (_, i) => (i % 3 === 0 ? `sensors/room-${i}/#` : i % 3 === 1 ? `agents/+/data/s${i}` : `+/chat/${i}`));
const M = FILTERS.length;
const cold = time(() => {
  const fresh = new TopicRules(ME, GRANT);
  for (const f of FILTERS) sink += fresh.checkSubscribe(f) ? 1 : 0;
});
const filterShape = time(() => {
  for (const f of FILTERS) {
    assertTopicFilter(f);
    sink++;
  }
});
console.log(`BENCH bus-permissions-subscribe-cold ${(cold / M).toFixed(1)} ns baseline=${(filterShape / M).toFixed(1)} ratio=${(cold / filterShape).toFixed(2)}`);
if (sink < 0) console.log(sink);
