import { describe, expect, it } from 'vitest';
import { routeKey } from './key-routing.js';

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
