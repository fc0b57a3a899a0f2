/**
 * MQTT over WebSocket for the embedded broker, on an HTTP server someone else owns (the
 * dashboard's). Only upgrade requests for our path are taken; any other path is left to the
 * server's other `upgrade` listeners (or refused when there are none, so it doesn't hang).
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { type BusLogger, errorMessage } from './bus-log.js';

export interface AttachWebSocketOptions {
  /** Decides whether an upgrade request may connect (API key, origin…); false → HTTP 401. */
  authorize?: (req: IncomingMessage) => boolean;
  /** Largest WebSocket message accepted, in bytes (default 16 MiB). */
  maxPayload?: number;
}

function refuse(socket: Duplex, status: string): void {
  socket.on('error', () => {});
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
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
  return stream;
}

/** Serves MQTT over WebSocket at `path` of `server`; returns a function that detaches it again. */
export function attachMqttWebSocket(
  aedes: Aedes,
  server: HttpServer,
  path: string,
  opts: AttachWebSocketOptions,
  log: BusLogger,
): () => void {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: opts.maxPayload ?? 16 * 1024 * 1024 });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(req) !== path) {
      if (server.listenerCount('upgrade') === 1) refuse(socket, '404 Not Found');
      return;
    }
    let allowed: boolean;
    try {
      allowed = opts.authorize ? opts.authorize(req) === true : true;
    } catch (err) {
      log('warning', `MQTT WebSocket authorize() threw, connection refused: ${errorMessage(err)}`);
      allowed = false;
    }
    if (!allowed) {
      refuse(socket, '401 Unauthorized');
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
