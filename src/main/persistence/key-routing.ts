/**
 * Which tier a key goes to, decided by the key's name alone (as the original Wactorz does),
 * so agent code just calls persist/recall. The table is mirrored in README.md and
 * docs/persistence.md — change all three together.
 *
 * Names are matched after stripping leading underscores (`_spawned_agents` ≡ `spawned_agents`),
 * either exactly or as a namespace followed by `:` (`user_facts:alice`).
 */
import type { PersistenceTier } from './persistence.js';

/** Durable structured data → SQLite. Includes the original's `_…` keys. */
export const DURABLE_NAMES: readonly string[] = [
  'spawned_agents',
  'spawn_registry',
  'pipeline_rules',
  'user_facts',
  'topic_contracts',
  'agent_manifests',
  'notification_urls',
  'conversation_history',
  'history',
  'history_summary',
  'final_cost',
  'messages_processed',
];
/** Prefixes for durable keys besides `<durable name>:`. */
export const DURABLE_PREFIXES: readonly string[] = ['ts:', 'timeseries:', 'durable:'];

/** Ephemeral fast data → Redis when reachable, else memory. */
export const EPHEMERAL_NAMES: readonly string[] = [
  'metrics',
  'agent_metrics',
  'heartbeat',
  'heartbeat_state',
  'topic_samples',
  'observed_samples',
];
/** Prefixes for ephemeral keys besides `<ephemeral name>:`. */
export const EPHEMERAL_PREFIXES: readonly string[] = ['sample:', 'samples:', 'cache:', 'ephemeral:'];

function matchesName(key: string, names: readonly string[]): boolean {
  return names.some((n) => key === n || key.startsWith(`${n}:`));
}

export function routeKey(key: string): PersistenceTier {
  const k = key.replace(/^_+/, '');
  if (matchesName(k, DURABLE_NAMES) || DURABLE_PREFIXES.some((p) => k.startsWith(p))) return 'durable';
  if (matchesName(k, EPHEMERAL_NAMES) || EPHEMERAL_PREFIXES.some((p) => k.startsWith(p))) return 'ephemeral';
  return 'blob';
}
