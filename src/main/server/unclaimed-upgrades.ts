/**
 * An upgrade request for a path no WebSocket endpoint serves gets a 404 — not a socket left hanging.
 * Each endpoint (`/mqtt`, `/ws`…) takes only its own path and leaves the rest to the server's other
 * `upgrade` listeners, so with more than one endpoint nobody would answer `/nope`; this listener,
 * told every endpoint's path, does.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';

/** Refuses upgrades outside `paths`; returns a function that detaches the listener. */
export function refuseUnclaimedUpgrades(server: HttpServer, paths: readonly string[]): () => void {
  const served = new Set(paths);
  const onUpgrade = (req: IncomingMessage, socket: Duplex): void => {
    let path: string | undefined;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      path = undefined;
    }
    if (path !== undefined && served.has(path)) return;
    socket.on('error', () => {});
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  };
  server.on('upgrade', onUpgrade);
  return () => server.off('upgrade', onUpgrade);
}
