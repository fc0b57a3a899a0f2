/**
 * MQTT over WebSocket for the embedded broker, on an HTTP server someone else owns (the
 * dashboard's). Only upgrade requests for our path are taken; any other path is left to the
 * server's other `upgrade` listeners (or refused when there are none, so it doesn't hang).
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { errorMessage } from './bus-log.js';
import type { Logger } from '../base/logger.js';

/** Why an upgrade is refused: an HTTP status (403 for a foreign Origin or Host, 429…) and a reason. */
export interface UpgradeRefusal {
  status: number;
  reason: string;
}

export interface AttachWebSocketOptions {
  /** Decides whether an upgrade request may connect (origin, host…); false → HTTP 401, a refusal → its status. */
  authorize?: (req: IncomingMessage) => boolean | UpgradeRefusal;
  /** Largest WebSocket message accepted, in bytes (default 16 MiB). */
  maxPayload?: number;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests' };

function refuse(socket: Duplex, status: string, body = ''): void {
  socket.on('error', () => {});
  const bytes = Buffer.byteLength(body);
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${bytes}\r\n\r\n${body}`);
}

function pathOf(req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

/** Bytes queued on a client's WebSocket beyond which aedes waits for them to be sent (backpressure). */
const HIGH_WATER_BYTES = 1024 * 1024;

/**
 * The WebSocket as a stream for aedes, with everything written in one turn of the event loop sent
 * as ONE WebSocket message (MQTT is a byte stream: a client parses any number of packets from a
 * message). aedes writes each packet on its own and waits for each write; a dashboard fed 1,000
 * log lines a second would get a thousand WebSocket messages a second — one event, one parse and
 * one socket write each, on both ends — and now gets one per turn. A write is acknowledged at
 * once while the socket keeps up; past HIGH_WATER_BYTES it waits until its message is sent.
 */
export function coalescingStream(ws: WebSocket): Duplex {
  const stream = createWebSocketStream(ws);
  let chunks: Buffer[] = [];
  let waiting: ((err?: Error | null) => void)[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (chunks.length === 0) return;
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const done = waiting;
    chunks = [];
    waiting = [];
    if (ws.readyState !== ws.OPEN) {
      const err = new Error('WebSocket is not open');
      for (const cb of done) cb(err);
      return;
    }
    ws.send(data, (err) => {
      for (const cb of done) cb(err ?? null);
    });
  };
  stream._write = (chunk: Buffer | string, _encoding: BufferEncoding, cb: (err?: Error | null) => void) => {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
    if (ws.bufferedAmount < HIGH_WATER_BYTES) cb();
    else waiting.push(cb);
  };
  // Ending the stream closes the socket: what is still queued (a refusal's CONNACK) goes first.
  const final = stream._final.bind(stream);
  stream._final = (cb: (err?: Error | null) => void) => {
    flush();
    final(cb);
  };
  // aedes destroys (not ends) the stream right after a refusal's CONNACK: send what is queued
  // first, or the client sees a dropped connection instead of "not authorized".
  const destroy = stream._destroy.bind(stream);
  stream._destroy = (err: Error | null, cb: (err?: Error | null) => void) => {
    if (chunks.length === 0 || ws.readyState !== ws.OPEN) return destroy(err, cb);
    const data = Buffer.concat(chunks);
    chunks = [];
    ws.send(data, () => destroy(err, cb));
  };
  return stream;
}

/** Serves MQTT over WebSocket at `path` of `server`; returns a function that detaches it again. */
export function attachMqttWebSocket(
  aedes: Aedes,
  server: HttpServer,
  path: string,
  opts: AttachWebSocketOptions,
  log: Logger,
): () => void {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: opts.maxPayload ?? 16 * 1024 * 1024 });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(req) !== path) {
      if (server.listenerCount('upgrade') === 1) refuse(socket, '404 Not Found');
      return;
    }
    let verdict: boolean | UpgradeRefusal;
    try {
      verdict = opts.authorize ? opts.authorize(req) : true;
    } catch (err) {
      log('warning', `MQTT WebSocket authorize() threw, connection refused: ${errorMessage(err)}`);
      verdict = false;
    }
    if (verdict !== true) {
      const refusal = verdict === false ? { status: 401, reason: '' } : verdict;
      if (refusal.reason) log('warning', `MQTT WebSocket from ${req.socket.remoteAddress ?? '?'} refused: ${refusal.reason}`);
      refuse(socket, `${refusal.status} ${STATUS_TEXT[refusal.status] ?? 'Refused'}`, refusal.reason);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = coalescingStream(ws);
      // aedes listens for errors on the stream too; this one only keeps a reset from being "unhandled".
      stream.on('error', (err) => log('debug', `MQTT WebSocket client error: ${errorMessage(err)}`));
      aedes.handle(stream, req);
    });
  };

  server.on('upgrade', onUpgrade);
  let detached = false;
  return () => {
    if (detached) return;
    detached = true;
    server.off('upgrade', onUpgrade);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
}
