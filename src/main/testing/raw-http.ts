/**
 * What an attacker's client sends, byte for byte: raw HTTP requests with every header as given
 * (Host, Origin, Sec-Fetch-Site included — fetch() would rewrite or refuse them), WebSocket
 * upgrades whose status is the answer, and MQTT connections that report why they failed. For the
 * tests of the network edges (server/, broker/, graph/, attacks/).
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { connectAsync, type IClientOptions } from 'mqtt';

export interface RawAnswer {
  status: number;
  body: string;
  headers: IncomingHttpHeaders;
}

/** A raw HTTP request: every header as given (Host included). */
export function send(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<RawAnswer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: { ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The HTTP status a WebSocket upgrade to `url` (ws:// or http://) gets with these extra headers:
 * 101 when accepted. `protocol` is the subprotocol asked for (MQTT's by default; null for none).
 */
export function upgradeStatus(url: string, headers: Record<string, string> = {}, protocol: string | null = 'mqtt'): Promise<number> {
  const u = new URL(url.replace(/^ws/, 'http'));
  return new Promise((resolve, reject) => {
    const req = request({
      host: u.hostname,
      port: u.port,
      path: u.pathname + u.search,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...(protocol ? { 'Sec-WebSocket-Protocol': protocol } : {}), ...headers },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** 'connected' when an MQTT client gets in (it leaves at once), else why it was refused. */
export async function tryMqtt(url: string, opts: IClientOptions = {}): Promise<string> {
  try {
    const c = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...opts }, false);
    await c.endAsync(true);
    return 'connected';
  } catch (e) {
    return (e as Error).message;
  }
}
