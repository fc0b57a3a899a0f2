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
