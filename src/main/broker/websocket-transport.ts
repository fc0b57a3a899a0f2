/**
 * MQTT over WebSocket for the embedded broker, on an HTTP server someone else owns (the
 * dashboard's). Only upgrade requests for our path are taken; any other path is left to the
 * server's other `upgrade` listeners (or refused when there are none, so it doesn't hang).
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { errorMessage } from './bus-log.js';
import type { Logger } from '../base/logger.js';

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
      const stream = createWebSocketStream(ws);
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
