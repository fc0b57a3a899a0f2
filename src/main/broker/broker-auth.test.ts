/**
 * Who may connect to the embedded broker, against a real aedes with real mqtt.js clients over TCP
 * and WebSocket (`/mqtt` on a real HTTP server guarded as the hub guards it): anonymous clients are
 * welcome only while nothing is configured; with a token every client logs in (loopback included),
 * with any username and the token, or the fleet pair; a page on a foreign origin cannot open
 * `/mqtt`, token or not; a rotated token closes the sessions that used the old one; failed logins
 * from beyond loopback are throttled.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { connectAsync, type IClientOptions } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../net/login-throttle.js';
import { AccessTokens } from '../server/access-token.js';
import { RequestPolicy } from '../server/request-policy.js';
import { upgradeGuard } from '../server/upgrade-guard.js';
import { BrokerAuth } from './broker-auth.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
import { waitUntil } from '../testing/wait.js';
import { upgradeStatus, tryMqtt as tryConnect } from '../testing/raw-http.js';


interface Rig {
  broker: EmbeddedBroker;
  http: Server;
  tcp: string;
  ws: string;
  origin: string;
  logs: string[];
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.broker.close();
    r.http.closeAllConnections();
    await new Promise((res) => r.http.close(res));
  }
});

async function rig(opts: { host?: string; tokens?: AccessTokens; pair?: { username: string; password: string }; origins?: string[]; throttle?: LoginThrottle } = {}): Promise<Rig> {
  const host = opts.host ?? '127.0.0.1';
  const tokens = opts.tokens ?? new AccessTokens(undefined, null);
  const logs: string[] = [];
  const log = (level: string, message: string) => logs.push(`${level} ${message}`);
  const throttle = opts.throttle ?? new LoginThrottle();
  const auth = new BrokerAuth(host, { ...opts.pair, tokens: () => tokens.list() }, { throttle, log });
  const broker = await startEmbeddedBroker({ host, port: 0, auth, log });
  const http = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((r) => http.listen(0, host, r));
  const port = (http.address() as AddressInfo).port;
  const policy = new RequestPolicy({ bindHost: host, allowedOrigins: opts.origins ?? [] });
  broker.attachWebSocket(http, '/mqtt', { authorize: upgradeGuard({ policy, throttle }) });
  tokens.onRotate(() => auth.closeRevoked(broker.aedes));
  const h = host.includes(':') ? `[${host}]` : host;
  const r = { broker, http, tcp: `mqtt://${h}:${broker.port}`, ws: `ws://${h}:${port}/mqtt`, origin: `http://${h}:${port}`, logs };
  rigs.push(r);
  return r;
}

const REFUSED = /not authori[sz]ed|bad user ?name or password/i;
const origin = (o: string): IClientOptions => ({ wsOptions: { origin: o } });

describe('broker credentials', () => {
  it('nothing configured on loopback: anonymous clients connect over TCP and WebSocket', async () => {
    const r = await rig();
    expect(await tryConnect(r.tcp)).toBe('connected');
    expect(await tryConnect(r.ws)).toBe('connected');
  });

  it('with a token, every client logs in — loopback, TCP and WebSocket', async () => {
    const r = await rig({ tokens: new AccessTokens('api-key-1', null), pair: { username: 'fleet', password: 'fleet-pw' } });
    for (const url of [r.tcp, r.ws]) {
      expect(await tryConnect(url), url).toMatch(REFUSED);
      expect(await tryConnect(url, { username: 'x', password: 'wrong' }), url).toMatch(REFUSED);
      expect(await tryConnect(url, { username: 'anyone', password: 'api-key-1' }), url).toBe('connected');
      expect(await tryConnect(url, { username: 'fleet', password: 'fleet-pw' }), url).toBe('connected');
      expect(await tryConnect(url, { username: 'other', password: 'fleet-pw' }), url).toMatch(REFUSED);
    }
    expect(r.logs.some((l) => /MQTT login refused/.test(l))).toBe(true);
  });

  it('a page on a foreign origin cannot open /mqtt, with or without the token; the dashboard’s own and allowed origins can', async () => {
    const open = await rig({ origins: ['https://ha.example.org'] });
    for (const o of ['http://evil.example', 'null', 'http://localhost:5173', 'http://127.0.0.1:1']) {
      expect(await upgradeStatus(open.ws, { origin: o }), o).toBe(403);
      expect(await tryConnect(open.ws, origin(o)), o).not.toBe('connected');
    }
    expect(await upgradeStatus(open.ws, { origin: open.origin })).toBe(101);
    expect(await tryConnect(open.ws, origin(open.origin))).toBe('connected');
    expect(await tryConnect(open.ws, origin('https://ha.example.org'))).toBe('connected');
    expect(open.logs.some((l) => /refused: cross-site request refused/.test(l))).toBe(true);

    const keyed = await rig({ tokens: new AccessTokens(undefined, 'dash-token-123456') });
    const creds = { username: 'dashboard', password: 'dash-token-123456' };
    expect(await upgradeStatus(`${keyed.ws}?token=dash-token-123456`, { origin: 'http://evil.example' })).toBe(403);
    expect(await tryConnect(`${keyed.ws}?token=dash-token-123456`, { ...creds, ...origin('http://evil.example') })).not.toBe('connected');
    expect(await tryConnect(keyed.ws, { ...creds, ...origin(keyed.origin) })).toBe('connected');
  });

  it('a foreign Host on /mqtt is refused (DNS rebinding)', async () => {
    const r = await rig();
    expect(await upgradeStatus(r.ws, { host: 'rebind.attacker.example' })).toBe(403);
    expect(await upgradeStatus(r.ws, { host: `localhost:${new URL(r.ws).port}` })).toBe(101);
  });

  it('rotating the token closes the sessions that used the old one; the new one works', async () => {
    const tokens = new AccessTokens(undefined, 'old-token-123456789');
    const r = await rig({ tokens });
    const old = await connectAsync(r.tcp, { reconnectPeriod: 0, username: 'dashboard', password: 'old-token-123456789' }, false);
    old.on('error', () => {});
    let closed = false;
    old.on('close', () => (closed = true));
    const fresh = tokens.rotate()!;
    await waitUntil(() => closed, 'the old session to be closed');
    expect(await tryConnect(r.tcp, { username: 'dashboard', password: 'old-token-123456789' })).toMatch(REFUSED);
    expect(await tryConnect(r.tcp, { username: 'dashboard', password: fresh })).toBe('connected');
    await old.endAsync(true);
  });

  const lan = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  it.skipIf(!lan)('failed logins from beyond loopback are throttled, then even the right password waits', async () => {
    const throttle = new LoginThrottle({ maxFailures: 3, windowMs: 60_000 });
    const r = await rig({ host: lan!, tokens: new AccessTokens(undefined, 'lan-token-123456789'), throttle });
    for (let i = 0; i < 3; i++) expect(await tryConnect(r.tcp, { username: 'x', password: `guess-${i}` })).toMatch(REFUSED);
    expect(await tryConnect(r.tcp, { username: 'x', password: 'lan-token-123456789' })).toMatch(REFUSED);
    expect(throttle.retryAfterMs(lan)).toBeGreaterThan(0);
    // Loopback is never throttled (a local process can read the token where the user keeps it).
    expect(throttle.retryAfterMs('127.0.0.1')).toBe(0);
  });
});
