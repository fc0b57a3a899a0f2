/** How a pipeline's agents connect: one link per (from, topic, to), plus topics that enter or leave it. */
import type { PipelineSummary } from '../../../../shared/rest.js';

export interface PipelineLink {
  from: string | null;
  topic: string;
  to: string | null;
}

/**
 * Links from the plan's topic contracts, completed by the agents' own subscribes/publishes (a
 * topic one agent publishes and another subscribes to, even if the plan did not list it). A topic
 * with no producer in the pipeline comes from outside (`from: null`); one nobody in it reads goes
 * out (`to: null`). MQTT wildcards in a subscription match.
 */
export function pipelineLinks(p: Pick<PipelineSummary, 'agents' | 'topics'>): PipelineLink[] {
  const out: PipelineLink[] = [];
  const seen = new Set<string>();
  const add = (l: PipelineLink) => {
    const key = `${l.from ?? ''}\u0000${l.topic}\u0000${l.to ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(l);
  };
  const names = new Set(p.agents.map((a) => a.name));
  for (const t of p.topics) {
    const from = t.from.filter((n) => names.has(n));
    const to = t.to.filter((n) => names.has(n));
    if (from.length === 0) for (const b of to) add({ from: null, topic: t.topic, to: b });
    else if (to.length === 0) for (const a of from) add({ from: a, topic: t.topic, to: null });
    else for (const a of from) for (const b of to) add({ from: a, topic: t.topic, to: b });
  }
  for (const a of p.agents) {
    for (const topic of a.publishes) {
      for (const b of p.agents) if (b.name !== a.name && b.subscribes.some((s) => mqttMatch(s, topic))) add({ from: a.name, topic, to: b.name });
    }
  }
  // Anything read from outside the pipeline not already covered.
  for (const b of p.agents) {
    for (const s of b.subscribes) {
      const fed = out.some((l) => l.to === b.name && (l.topic === s || mqttMatch(s, l.topic)));
      if (!fed) add({ from: null, topic: s, to: b.name });
    }
  }
  return out;
}

/** MQTT topic filter match (+ one level, # the rest, including the parent). */
export function mqttMatch(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
