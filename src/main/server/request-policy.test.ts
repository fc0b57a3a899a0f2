/**
 * The request policy on real HTTP servers (createHttpApp: the REST layout and the dashboard layout
 * with its static files), driven with raw requests so Host, Origin and Sec-Fetch-Site are exactly
 * what a browser — or an attacker's page — would send: a foreign Host is refused (DNS rebinding),
 * cross-site and simple-request POSTs change nothing, the original's body-less curl POST still
 * works; failed logins from beyond loopback are throttled; the dashboard token rotates.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../net/login-throttle.js';
import { AccessTokens } from './access-token.js';
import { authRoutes } from './auth-routes.js';
import { createHttpApp, listenHttp } from './http-app.js';
import type { HubApi } from './hub-api.js';
import { RequestPolicy, hostOfHeader } from './request-policy.js';
import { send } from '../testing/raw-http.js';

const commands: string[] = [];
const hub: HubApi = {
  health: () => ({ status: 'ok', uptime: 1, actors: 1, llm: { provider: 'none', model: null, configured: false }, mqtt: { mode: 'embedded', state: 'connected', port: 1883 }, persistence: { ephemeral: 'memory' } }),
  listAgents: () => [{ id: 'id-x', name: 'x', state: 'running', protected: false, kind: 'dynamic', last_heartbeat: 1, inbox_size: 0, restart_count: 0, messages_processed: 0 }],
  getAgent: (k) => (k === 'x' || k === 'id-x' ? hub.listAgents()[0] : undefined),
  agentMetrics: () => undefined,
  sendMessage: async (name, content) => ({ echoed: content, by: name }),
  command: async (name, command) => {
    commands.push(`${command} ${name}`);
    return { ok: true, message: `${command} sent` };
  },
  chat: async (message) => ({ agent: 'main', response: message }),
  prometheusMetrics: () => '',
};


describe('RequestPolicy', () => {
  it('reads Host headers and judges names and addresses', () => {
    expect(hostOfHeader('Example.ORG.:8080')).toBe('example.org');
    expect(hostOfHeader('[::1]:8888')).toBe('[::1]');
    const p = new RequestPolicy({ bindHost: '0.0.0.0', allowedHosts: ['hub.lan', '*.example.org'], interfaceAddresses: () => ['192.168.1.20', 'fe80::1'] });
    for (const ok of ['localhost:8888', '127.0.0.1', '[::1]:1', 'hub.lan:8888', 'a.example.org', '192.168.1.20:8888', '[::ffff:127.0.0.1]:80']) expect(p.hostAllowed(ok), ok).toBe(true);
    for (const bad of ['evil.example', 'example.org.evil.example', 'hub.lan.evil', '192.168.1.21', '']) expect(p.hostAllowed(bad), bad).toBe(false);
    expect(new RequestPolicy({ bindHost: '127.0.0.1' }).hostAllowed('192.168.1.20')).toBe(false);
    expect(() => new RequestPolicy({ bindHost: '127.0.0.1', allowedOrigins: ['not an origin'] })).toThrow(/not an origin/);
  });
});

describe('HTTP surfaces under the policy', () => {
  let rest: FastifyInstance;
  let dash: FastifyInstance;
  let restUrl: string;
  let dashUrl: string;
  let dir: string;
  const tokens = new AccessTokens(undefined, null);

  beforeAll(async () => {
    const policy = new RequestPolicy({ bindHost: '127.0.0.1', allowedHosts: ['hub.lan'], allowedOrigins: ['https://ha.example.org'] });
    rest = await createHttpApp({ hub, accessTokens: () => tokens.list(), policy, apiPrefix: '' });
    restUrl = `http://127.0.0.1:${await listenHttp(rest, '127.0.0.1', 0, '--port')}`;
    dir = mkdtempSync(join(tmpdir(), 'wz-policy-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Wactorz</title>');
    dash = await createHttpApp({ hub, accessTokens: () => tokens.list(), policy, apiPrefix: '/api', dashboardDir: dir });
    dashUrl = `http://127.0.0.1:${await listenHttp(dash, '127.0.0.1', 0, '--monitor-port')}`;
  });
  afterAll(async () => {
    await rest.close();
    await dash.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a foreign Host on REST, the API and the dashboard’s files; answers loopback names and added ones', async () => {
    for (const url of [`${restUrl}/agents`, `${dashUrl}/api/agents`, `${dashUrl}/`]) {
      const port = new URL(url).port;
      expect((await send(url, 'GET', { host: `rebind.attacker.example:${port}` })).status, url).toBe(403);
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `hub.lan:${port}`]) expect((await send(url, 'GET', { host })).status, `${url} ${host}`).toBe(200);
    }
    const r = await send(`${restUrl}/actors/x/pause`, 'POST', { host: 'rebind.attacker.example' });
    expect(JSON.parse(r.body)).toMatchObject({ error: 'unknown host', detail: expect.stringMatching(/WACTORZ_ALLOWED_HOSTS/) });
    expect(commands).toEqual([]);
  });

  it('the original’s curl POST (no body, no Origin) still pauses; JSON from the page’s own origin too', async () => {
    expect((await send(`${restUrl}/actors/x/pause`, 'POST')).status).toBe(200);
    const own = new URL(dashUrl).host;
    const r = await send(`${dashUrl}/api/agents/command`, 'POST', { origin: dashUrl, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json', host: own }, JSON.stringify({ target: 'x', command: 'resume' }));
    expect(r.status).toBe(200);
    expect((await send(`${restUrl}/actors/x/resume`, 'POST', { origin: 'https://ha.example.org', 'content-type': 'application/json' }, '{}')).status).toBe(200);
    expect(commands.splice(0)).toEqual(['pause x', 'resume x', 'resume x']);
  });

  it('a cross-site page changes nothing: foreign Origin, Origin null, Sec-Fetch-Site cross-site or same-site', async () => {
    const attempts: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { origin: 'http://localhost:5173' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of attempts) {
      for (const url of [`${restUrl}/actors/x/pause`, `${dashUrl}/api/actors/x/pause`]) {
        const r = await send(url, 'POST', headers);
        expect(r.status, `${url} ${JSON.stringify(headers)}`).toBe(403);
        expect(JSON.parse(r.body).error).toBe('cross-site request refused');
      }
    }
    // Reading is not a change: a GET with a foreign Origin is answered (no CORS headers, so the page cannot read it).
    const get = await send(`${restUrl}/agents`, 'GET', { origin: 'http://evil.example' });
    expect(get.status).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    expect(commands).toEqual([]);
  });

  it('a simple request (text/plain or a form) is refused even without Origin, as an old browser would send it', async () => {
    const bodies: [string, string][] = [
      ['text/plain', '{"target":"x","command":"pause"}'],
      ['application/x-www-form-urlencoded', 'target=x&command=pause'],
      ['multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="target"\r\n\r\nx\r\n--b--\r\n'],
    ];
    for (const [type, body] of bodies) {
      const r = await send(`${restUrl}/agents/command`, 'POST', { 'content-type': type }, body);
      expect(r.status, type).toBe(415);
      expect(JSON.parse(r.body).error).toBe('JSON body required');
    }
    expect((await send(`${restUrl}/actors/x/message`, 'POST', {}, '{"content":1}')).status).toBe(415);
    expect(commands).toEqual([]);
  });

  it('rotates the dashboard token: the old one stops working at once; without one, 409', async () => {
    const dashTokens = new AccessTokens(undefined, 'first-token-0123456789');
    const rotated: string[] = [];
    dashTokens.onRotate((t) => rotated.push(t));
    const app = await createHttpApp({ hub, accessTokens: () => dashTokens.list(), apiPrefix: '/api', routes: [authRoutes(dashTokens)] });
    const url = `http://127.0.0.1:${await listenHttp(app, '127.0.0.1', 0, '--monitor-port')}`;
    try {
      expect((await send(`${url}/api/auth/token/rotate`, 'POST')).status).toBe(401);
      expect((await send(`${url}/api/auth/token/rotate`, 'POST', { 'x-api-key': 'first-token-0123456789', origin: 'http://evil.example' })).status).toBe(403);
      const r = await send(`${url}/api/auth/token/rotate`, 'POST', { authorization: 'Bearer first-token-0123456789' });
      expect(r.status).toBe(200);
      const { token } = JSON.parse(r.body) as { token: string };
      expect(rotated).toEqual([token]);
      expect((await send(`${url}/api/agents`, 'GET', { authorization: 'Bearer first-token-0123456789' })).status).toBe(401);
      expect((await send(`${url}/api/agents`, 'GET', { authorization: `Bearer ${token}` })).status).toBe(200);
    } finally {
      await app.close();
    }
    const keyOnly = new AccessTokens('api-key', null);
    const app2 = await createHttpApp({ hub, accessTokens: () => keyOnly.list(), apiPrefix: '', routes: [authRoutes(keyOnly)] });
    const url2 = `http://127.0.0.1:${await listenHttp(app2, '127.0.0.1', 0, '--port')}`;
    try {
      expect((await send(`${url2}/auth/token/rotate`, 'POST', { 'x-api-key': 'api-key' })).status).toBe(409);
    } finally {
      await app2.close();
    }
  });

  const lan = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  it.skipIf(!lan)('failed logins from beyond loopback are throttled (429 with Retry-After), loopback never', async () => {
    const keyed = new AccessTokens('right-key', null);
    const throttle = new LoginThrottle({ maxFailures: 3, windowMs: 60_000 });
    const app = await createHttpApp({ hub, accessTokens: () => keyed.list(), policy: new RequestPolicy({ bindHost: lan! }), throttle, apiPrefix: '' });
    const port = await listenHttp(app, lan!, 0, '--port');
    const url = `http://${lan}:${port}/agents`;
    try {
      // A request without a token is no login attempt (a page asking before the user pasted it).
      for (let i = 0; i < 5; i++) expect((await send(url, 'GET')).status).toBe(401);
      for (let i = 0; i < 3; i++) expect((await send(url, 'GET', { 'x-api-key': `guess-${i}` })).status).toBe(401);
      const blocked = await send(url, 'GET', { 'x-api-key': 'right-key' });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect(throttle.retryAfterMs('127.0.0.1')).toBe(0);
    } finally {
      await app.close();
    }
  });
});
