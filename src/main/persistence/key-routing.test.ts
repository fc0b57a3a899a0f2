import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DURABLE_NAMES, DURABLE_PREFIXES, EPHEMERAL_NAMES, EPHEMERAL_PREFIXES, routeKey } from './key-routing.js';

describe('routeKey', () => {
  it.each([
    ['_spawned_agents', 'durable'],
    ['spawn_registry', 'durable'],
    ['pipeline_rules', 'durable'],
    ['_pipeline_rules', 'durable'],
    ['user_facts', 'durable'],
    ['user_facts:alice', 'durable'],
    ['topic_contracts', 'durable'],
    ['conversation_history', 'durable'],
    ['history', 'durable'],
    ['history_summary', 'durable'],
    ['_final_cost', 'durable'],
    ['ts:kitchen.temperature', 'durable'],
    ['timeseries:power', 'durable'],
    ['metrics', 'ephemeral'],
    ['_agent_metrics', 'ephemeral'],
    ['heartbeat', 'ephemeral'],
    ['_heartbeat_state', 'ephemeral'],
    ['topic_samples', 'ephemeral'],
    ['_observed_samples', 'ephemeral'],
    ['sample:sensors/temp', 'ephemeral'],
    ['cache:weather', 'ephemeral'],
    ['state', 'blob'],
    ['model', 'blob'],
    ['historyish', 'blob'],
    ['my_metrics', 'blob'],
    ['Metrics', 'blob'],
    ['ts', 'blob'],
  ] as const)('%s → %s', (key, tier) => {
    expect(routeKey(key)).toBe(tier);
  });
});

describe('routing table in the docs', () => {
  const tableOf = (file: string) => {
    const text = readFileSync(file, 'utf8');
    const start = text.indexOf('<!-- routing-table:start -->');
    const end = text.indexOf('<!-- routing-table:end -->');
    expect(start, `${file} has the routing table markers`).toBeGreaterThanOrEqual(0);
    return text.slice(start, end);
  };
  const readme = fileURLToPath(new URL('./README.md', import.meta.url));
  const docs = fileURLToPath(new URL('../../../docs/persistence.md', import.meta.url));

  it('is the same table in README.md and docs/persistence.md', () => {
    expect(tableOf(docs)).toBe(tableOf(readme));
  });

  it('lists every name and prefix of key-routing.ts in the right row', () => {
    const rows = tableOf(readme).split('\n');
    const row = (tier: string) => rows.find((r) => r.startsWith(`| ${tier} |`)) ?? '';
    for (const n of [...DURABLE_NAMES, ...DURABLE_PREFIXES]) expect(row('durable')).toContain(`\`${n}\``);
    for (const n of [...EPHEMERAL_NAMES, ...EPHEMERAL_PREFIXES]) expect(row('ephemeral')).toContain(`\`${n}\``);
    // Columns 3 and 4 (keys, prefixes) of the durable and ephemeral rows name nothing unknown.
    const keyCells = ['durable', 'ephemeral'].flatMap((t) => row(t).split('|').slice(3, 5)).join(' ');
    const documented = [...keyCells.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const known = new Set([...DURABLE_NAMES, ...DURABLE_PREFIXES, ...EPHEMERAL_NAMES, ...EPHEMERAL_PREFIXES]);
    expect(documented.filter((n) => !known.has(n))).toEqual([]);
  });
});
