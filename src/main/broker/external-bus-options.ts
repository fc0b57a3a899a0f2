/**
 * What an ExternalBus is told (ExternalBusOptions) and what it hands mqtt.js: the broker URL (and
 * one safe to print), the client id, and the client options. Said apart from the bus so that the
 * connection policy — MQTT 3.1.1, who restores subscriptions, where offline publishes go — reads
 * in one place, and a bad URL is refused before any socket opens.
 */
import { randomBytes } from 'node:crypto';
import type { IClientOptions } from 'mqtt';
import type { PublishGate } from '../core/bus.js';
import type { Logger } from '../base/logger.js';
import type { BackoffOptions } from './reconnect-backoff.js';

export interface ExternalBusOptions {
  /** mqtt://, mqtts://, ws:// or wss:// URL; or give host (+ port). */
  url?: string;
  host?: string;
  /** Default 1883 (8883 with tls). */
  port?: number;
  /** With host/port: connect with TLS (mqtts). */
  tls?: boolean;
  username?: string;
  password?: string;
  /**
   * Stable id for a persistent session (see stableClientId). Without one a random id is used
   * and the session is clean: nothing is queued by the broker while we are away.
   */
  clientId?: string;
  /** Persistent session; default true when clientId is given, else false. */
  persistentSession?: boolean;
  /** CA certificate(s), PEM contents (not a path), for a broker with a private CA. */
  ca?: string | Buffer | string[] | Buffer[];
  /** Default true: refuse a broker certificate that does not verify. */
  rejectUnauthorized?: boolean;
  keepaliveSec?: number;
  connectTimeoutMs?: number;
  reconnect?: BackoffOptions;
  /** Outbox bounds while the broker is unreachable (defaults 1,000 QoS 0 and 100,000 QoS 1). */
  maxQueuedQos0?: number;
  maxQueuedQos1?: number;
  /** QoS 1 messages nobody has subscribed to yet: kept this long (default 60 s)… */
  unclaimedMaxAgeMs?: number;
  /** …and at most this many (default 10,000). */
  maxUnclaimed?: number;
  log?: Logger;
  /** Limits for agents' publishes (publish-limits.ts); the broker's own limits and ACLs still apply. */
  publishGate?: PublishGate;
}

/** How to reach the broker: the URL to connect to, one safe to print (no credentials), mqtt.js' options. */
export interface BrokerClientSetup {
  url: string;
  display: string;
  clientId: string;
  mqtt: IClientOptions;
}

/** The setup for `opts`; `firstRetryMs` is the wait before the first reconnection attempt. Throws on a bad URL. */
export function brokerClientSetup(opts: ExternalBusOptions, firstRetryMs: number): BrokerClientSetup {
  const { url, display } = resolveUrl(opts);
  const clientId = opts.clientId ?? `wactorz-${randomBytes(6).toString('hex')}`;
  const persistent = opts.persistentSession ?? opts.clientId !== undefined;
  const mqtt: IClientOptions = {
    protocolVersion: 4,
    clientId,
    clean: !persistent,
    keepalive: opts.keepaliveSec ?? 30,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
    // The wait before the first retry; each attempt then sets the one after it (external-bus.ts, 'reconnect').
    reconnectPeriod: firstRetryMs,
    // A broker that restarts may refuse briefly (server unavailable): keep trying, with backoff.
    reconnectOnConnackError: true,
    // The bus restores subscriptions itself, before flushing its outbox (external-bus.ts' file comment).
    resubscribe: false,
    // Offline publishes go to the bus' outbox, never to mqtt.js' unbounded queue.
    queueQoSZero: false,
  };
  if (opts.username !== undefined) mqtt.username = opts.username;
  if (opts.password !== undefined) mqtt.password = opts.password;
  if (opts.ca !== undefined) mqtt.ca = opts.ca;
  if (opts.rejectUnauthorized !== undefined) mqtt.rejectUnauthorized = opts.rejectUnauthorized;
  return { url, display, clientId, mqtt };
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The URL to connect to, and one safe to print (no credentials). */
function resolveUrl(opts: ExternalBusOptions): { url: string; display: string } {
  let url: string;
  if (opts.url) url = opts.url;
  else if (opts.host) {
    const secure = opts.tls === true;
    url = `${secure ? 'mqtts' : 'mqtt'}://${formatHost(opts.host)}:${opts.port ?? (secure ? 8883 : 1883)}`;
  } else throw new Error('connectExternalBus: give url, or host (and port)');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`connectExternalBus: "${url}" is not a valid broker URL`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'tls:', 'ssl:'].includes(parsed.protocol)) {
    throw new Error(`connectExternalBus: unsupported protocol "${parsed.protocol}" in broker URL (use mqtt://, mqtts://, ws:// or wss://)`);
  }
  parsed.username = '';
  parsed.password = '';
  return { url, display: parsed.toString().replace(/\/$/, '') };
}
