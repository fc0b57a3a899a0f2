/** The node registry's options, answers and errors (see node-registry.ts). */
import type { ActorSystem } from '../../core/actor-system.js';
import type { Bus } from '../../core/bus.js';
import type { Persistence } from '../../persistence/persistence.js';
import type { RemoteSpawnRequest } from '../../agents/dynamic/service-types.js';
import type { Placement } from './node-store.js';
import type { SecretStore } from '../../secrets/secret-store.js';

export type NodeRegistryLogger = (level: 'debug' | 'info' | 'warning' | 'error', message: string) => void;

export interface NodeRegistryOptions {
  bus: Bus;
  persistence: Persistence;
  /** Where the nodes' fleet keys live (the hub's secret store); default: memory, for this process only. */
  secrets?: SecretStore;
  /** For alerts to main (optional). */
  system?: ActorSystem;
  log?: NodeRegistryLogger;
  /** A node is online when heard from within this window (default 45 s). */
  onlineWindowMs?: number;
  /** Silent this long → critical alert (default 120 s). */
  criticalMs?: number;
  /** How often silence and unacknowledged commands are checked (default 5 s). */
  checkMs?: number;
  /** An unacknowledged command is sent again after this long while its node is online (default 10 s). */
  commandRetryMs?: number;
  /** An unanswered remote task is published again after this long (default 5 s). */
  taskRetryMs?: number;
  /** How long spawnOnNode waits for the node's ack before answering "queued" (default 15 s). */
  spawnWaitMs?: number;
  /** How long migrate waits for the move to finish before answering "in progress" (default 30 s). */
  migrateWaitMs?: number;
}

/** A spawn on a node: the spawn spec's fields (the original's snake_case) plus `node` (said once, in the DynamicAgent service's types). */
export type RemoteSpawnInput = RemoteSpawnRequest;

export interface RemoteSpawnReport {
  ok: boolean;
  name: string;
  node: string;
  type: string;
  /** running: the node confirmed it; queued: it will start when the node acknowledges (offline?); refused: the node or the check refused it. */
  status: 'running' | 'queued' | 'refused';
  message: string;
  version?: number;
  command_id?: string;
}

export interface PlacementInfo {
  name: string;
  node: string;
  status: Placement['status'];
  error: string | null;
  version: number;
  language: string;
  description: string;
  /** What the node last reported for it (heartbeat), or null. */
  state: string | null;
}

export class NodeRegistryError extends Error {
  override name = 'NodeRegistryError';
  constructor(
    readonly kind: 'bad_input' | 'conflict' | 'not_found' | 'unavailable',
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }
}
