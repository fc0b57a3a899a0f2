/**
 * The MQTT bus as the rest of the hub sees it. Two implementations: the embedded broker's
 * in-process client (no TCP hop to itself) and an mqtt.js client for an external broker.
 * Payloads are JSON-serialised by `publish`; subscribers get raw bytes and validate them
 * with a schema from src/shared/mqtt-payloads.ts.
 */
export interface PublishOptions {
  retain?: boolean;
  qos?: 0 | 1;
}

export type BusHandler = (topic: string, payload: Buffer) => void;

export type BusConnectionState = 'connected' | 'reconnecting' | 'offline';

/**
 * Per-publisher limits (retained bytes, rate) for callers that identify themselves — agent code.
 * The hub's own actors are not asked. Implemented by src/main/broker/publish-limits.ts.
 */
export interface PublishGate {
  /** null when `publisher` may publish `bytes` on `topic` now (and it is counted); else why not. */
  admit(publisher: string, topic: string, bytes: number, retain: boolean): string | null;
}

export interface Bus {
  /** Publishes `payload` (objects are JSON-encoded; strings and Buffers go as they are). Never throws. */
  publish(topic: string, payload: unknown, opts?: PublishOptions): void;
  /** Subscribes with MQTT wildcards; returns a function that unsubscribes. */
  subscribe(pattern: string, handler: BusHandler): () => void;
  /** Resolves once the subscription is active on the broker (useful before publishing to it). */
  ready(): Promise<void>;
  readonly state: BusConnectionState;
  /** The limits agents' publishes must pass, when this bus has them. */
  readonly publishGate?: PublishGate;
  close(): Promise<void>;
}

/** Encodes a payload the way every Bus does. */
export function encodePayload(payload: unknown): Buffer {
  if (Buffer.isBuffer(payload)) return payload;
  if (typeof payload === 'string') return Buffer.from(payload);
  return Buffer.from(JSON.stringify(payload));
}
