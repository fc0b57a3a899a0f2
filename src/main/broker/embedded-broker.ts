/**
 * The embedded MQTT broker (aedes): TCP on host:port (127.0.0.1:1883 by default), MQTT over
 * WebSocket on an HTTP server of the caller's choice (the dashboard's `/mqtt`), and the
 * hub's in-process Bus on top of it. Optional guards: `auth` (who may connect, broker-auth.ts)
 * and `limits` (retained bytes and publish rates, publish-limits.ts) — the hub passes both.
 */
import type { EventEmitter } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import { type AddressInfo, type Server as NetServer, type Socket, createServer } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import { isLoopbackHost } from '../net/addresses.js';
import type { BrokerAuth } from './broker-auth.js';
import type { Logger } from '../base/logger.js';
import { consoleBusLogger, errorMessage } from './bus-log.js';
import { type PublishLimits, aedesPublishLimits } from './publish-limits.js';
import { InProcessBus } from './in-process-bus.js';
import type { InProcessPublisherOptions } from './in-process-publisher.js';
import { type AttachWebSocketOptions, attachMqttWebSocket } from './websocket-transport.js';
import { indexRetainedMessages } from './retained-index.js';

export interface EmbeddedBrokerOptions {
  /** Bind address of the TCP listener (default 127.0.0.1). */
  host?: string;
  /** TCP port (default 1883); 0 picks a free one (see `port` on the result). */
  port?: number;
  log?: Logger;
  /** Passed to aedes: authenticate/authorize hooks, drainTimeout, concurrency… */
  aedes?: AedesOptions;
  /** Pace of the in-process publisher (see InProcessPublisher). */
  bus?: InProcessPublisherOptions;
  /** Credentials every client must present (when it says they are required). */
  auth?: BrokerAuth;
  /** Retained-byte and rate limits for network clients, and the gate agents' publishes pass. */
  limits?: PublishLimits;
}

export interface EmbeddedBroker {
  readonly aedes: Aedes;
  readonly host: string;
  /** The TCP port actually bound (differs from the option when it was 0). */
  readonly port: number;
  /** The hub's own publisher/subscriber: in-process, no socket. */
  readonly bus: InProcessBus;
  /** Serves MQTT over WebSocket on `server`'s upgrade requests for `path` (default `/mqtt`); returns a detach function. */
  attachWebSocket(server: HttpServer, path?: string, opts?: AttachWebSocketOptions): () => void;
  /** Closes the bus, WebSocket clients, every MQTT client and the TCP listener. Idempotent. */
  close(): Promise<void>;
}

/** The MQTT port (or address) could not be bound; `code` is the system's ('EADDRINUSE', 'EACCES'…). */
export class BrokerListenError extends Error {
  override name = 'BrokerListenError';
  constructor(
    message: string,
    readonly code: string,
    readonly host: string,
    readonly port: number,
  ) {
    super(message);
  }
}

/** Waits this long for clients to go before forcing their sockets shut on close. */
const CLOSE_GRACE_MS = 2_000;
/** A frozen subscriber is dropped after this long instead of stalling delivery to everyone (aedes' default is 60 s). */
const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

function listen(server: NetServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const code = err.code ?? 'ELISTEN';
      const where = `${host}:${port}`;
      const message =
        code === 'EADDRINUSE'
          ? `MQTT port ${port} is already in use on ${host} (another broker or hub running?)`
          : code === 'EACCES'
            ? `not allowed to listen on MQTT port ${port} on ${host} (ports below 1024 need privileges)`
            : code === 'EADDRNOTAVAIL'
              ? `cannot listen on ${where}: ${host} is not an address of this machine`
              : `cannot listen on MQTT ${where}: ${err.message}`;
      reject(new BrokerListenError(message, code, host, port));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * aedes (1.2) bug, worked around: when a persistent session's filters overlap, a QoS 1 packet
 * reaches the client twice; the second copy is dropped by the per-client dedupe, and aedes then
 * "clears" the copy's queued packet by its messageId — still unset, so it removes whichever queued
 * packet has no id yet: the one the first copy is about to send. Its send then fails with "no
 * such packet" and the client is disconnected (a node, whose command and wildcard filters
 * overlap, was thrown off by every command and got it only on the hub's retry). A packet without
 * a messageId was never sent, so there is nothing to clear: such a call does nothing here. (The
 * other way aedes skips a copy, authorizeForward, is not used by this broker.)
 */
function keepQueuedPacketsOfDedupedCopies(aedes: Aedes): void {
  type Clear = (client: unknown, packet: { messageId?: number }) => Promise<unknown>;
  const persistence = (aedes as unknown as { persistence: { outgoingClearMessageId: Clear } }).persistence;
  const clear = persistence.outgoingClearMessageId.bind(persistence);
  persistence.outgoingClearMessageId = (client, packet) => (packet.messageId === undefined ? Promise.resolve(undefined) : clear(client, packet));
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const requestedPort = opts.port ?? 1883;
  const log = opts.log ?? consoleBusLogger;

  const limitHooks = opts.limits ? aedesPublishLimits(opts.limits, opts.aedes?.authorizePublish) : undefined;
  const aedes = await Aedes.createBroker({
    drainTimeout: DEFAULT_DRAIN_TIMEOUT_MS,
    ...(opts.auth ? { authenticate: opts.auth.authenticate } : {}),
    ...opts.aedes,
    ...(limitHooks ? { authorizePublish: limitHooks.authorizePublish } : {}),
  });
  limitHooks?.attach(aedes);
  keepQueuedPacketsOfDedupedCopies(aedes);
  // aedes' own memory store tests every retained topic on each new subscription (retained-index.ts).
  if (!opts.aedes?.persistence) indexRetainedMessages((aedes as unknown as { persistence: Parameters<typeof indexRetainedMessages>[0] }).persistence);
  // Without listeners these would be thrown (EventEmitter 'error') or lost.
  (aedes as EventEmitter).on('error', (err: Error) => log('error', `MQTT broker: ${errorMessage(err)}`));
  aedes.on('clientError', (client, err) => log('debug', `MQTT client ${client?.id ?? '?'}: ${errorMessage(err)}`));
  aedes.on('connectionError', (_client, err) => log('debug', `MQTT connection refused: ${errorMessage(err)}`));

  const sockets = new Set<Socket>();
  const tcp = createServer((socket) => {
    socket.setNoDelay(true); // small MQTT packets go out at once (no Nagle delay)
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  try {
    await listen(tcp, host, requestedPort);
  } catch (err) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw err;
  }
  const port = (tcp.address() as AddressInfo).port;
  if (!isLoopbackHost(host) && !opts.aedes?.authenticate && !opts.auth?.required) {
    log('warning', `MQTT broker listening on ${host}:${port} without authentication: anyone who can reach it can publish and subscribe`);
  }
  const bus = new InProcessBus(aedes, { ...opts.bus, log, ...(opts.limits ? { publishGate: opts.limits } : {}) });
  const detachers = new Set<() => void>();
  let closing: Promise<void> | undefined;

  const close = async (): Promise<void> => {
    await bus.close();
    for (const detach of detachers) detach();
    detachers.clear();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, CLOSE_GRACE_MS);
      force.unref();
      tcp.close(() => {
        clearTimeout(force);
        resolve();
      });
    });
  };

  return {
    aedes,
    host,
    port,
    bus,
    attachWebSocket(server, path = '/mqtt', wsOpts = {}) {
      const detach = attachMqttWebSocket(aedes, server, path, wsOpts, log);
      const once = (): void => {
        detachers.delete(once);
        detach();
      };
      detachers.add(once);
      return once;
    },
    close() {
      closing ??= close();
      return closing;
    },
  };
}
