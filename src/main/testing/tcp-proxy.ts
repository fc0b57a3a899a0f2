/**
 * A TCP proxy for tests that need a connection to die silently: `silenceOpen()` stops carrying
 * bytes on every connection open now, in both directions, and keeps their sockets open — the
 * half-open link a laptop's sleep or a forgetful NAT leaves behind, where the client hears neither
 * an answer nor a close. Connections made afterwards are carried normally, so a client that
 * connects again gets through.
 */
import net from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Stops carrying the connections open now, without closing them. */
  silenceOpen(): void;
  /** How many connections clients have opened through the proxy so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, host = '127.0.0.1'): Promise<TcpProxy> {
  const open = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let connections = 0;
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(targetPort, host);
    const pair = { client, upstream };
    open.add(pair);
    const drop = () => {
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    get connections() {
      return connections;
    },
    silenceOpen() {
      for (const { client, upstream } of open) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        // Unread bytes are dropped rather than buffered: nothing sent from now on is ever answered.
        client.removeAllListeners('data');
        upstream.removeAllListeners('data');
        client.on('data', () => {});
        upstream.on('data', () => {});
      }
    },
    async close() {
      for (const { client, upstream } of open) {
        client.destroy();
        upstream.destroy();
      }
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
