/** RestClient against a real local HTTP server, with the browser's fetch as implemented by Node. */
// eslint-disable-next-line no-restricted-imports
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
// eslint-disable-next-line no-restricted-imports
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, RestClient } from './rest-client.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let server: Server;
let apiUrl: string;
let handler: Handler;
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  seen.length = 0;
});

const agent = { id: 'i', name: 'main', state: 'running', protected: true, kind: 'core', last_heartbeat: 1, inbox_size: 0, restart_count: 0, messages_processed: 2 };

describe('RestClient', () => {
  it('sends the token both ways and validates the answer', async () => {
    handler = (_req, _b, res) => json(res, 200, [agent]);
    const c = new RestClient(() => ({ apiUrl, token: 'tk' }));
    const list = await c.listAgents();
    expect(list[0]!.name).toBe('main');
    expect(seen[0]!.url).toBe('/api/agents');
    expect(seen[0]!.headers.authorization).toBe('Bearer tk');
    expect(seen[0]!.headers['x-api-key']).toBe('tk');
  });

  it('sends no auth headers without a token', async () => {
    handler = (_req, _b, res) => json(res, 200, [agent]);
    await new RestClient(() => ({ apiUrl, token: null })).listAgents();
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.headers['x-api-key']).toBeUndefined();
  });

  it('turns {error, detail} into an ApiError and reports 401', async () => {
    let unauthorized = 0;
    const c = new RestClient(() => ({ apiUrl, token: null }), undefined, () => unauthorized++);
    handler = (_req, _b, res) => json(res, 400, { error: 'syntax error', detail: [{ message: 'Unexpected token', line: 2, column: 5 }] });
    const e = await c.putCode('x', 'bad(', 'javascript').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(400);
    expect((e as ApiError).message).toBe('syntax error');
    expect((e as ApiError).detail).toEqual([{ message: 'Unexpected token', line: 2, column: 5 }]);
    expect(JSON.parse(seen[0]!.body)).toEqual({ code: 'bad(', language: 'javascript' });
    expect(seen[0]!.method).toBe('PUT');

    handler = (_req, _b, res) => json(res, 401, { error: 'unauthorized' });
    await expect(c.listAgents()).rejects.toMatchObject({ status: 401 });
    expect(unauthorized).toBe(1);
  });

  it('refuses a response of the wrong shape with a clear error', async () => {
    handler = (_req, _b, res) => json(res, 200, { agents: 'nope' });
    await expect(new RestClient(() => ({ apiUrl, token: null })).listAgents()).rejects.toThrow(/unexpected response/);
  });

  it('says the hub is unreachable, and times out', async () => {
    const dead = new RestClient(() => ({ apiUrl: 'http://127.0.0.1:1/api/', token: null }));
    await expect(dead.health()).rejects.toMatchObject({ status: 0, message: expect.stringMatching(/unreachable/) });
    handler = () => undefined; // never answers
    const slow = new RestClient(() => ({ apiUrl, token: null }), undefined, undefined, 300);
    await expect(slow.health()).rejects.toThrow(/timed out/);
  });

  it('sends tasks, falling back to the original message route', async () => {
    handler = (req, _b, res) => {
      if (req.url === '/api/agents/weather/tasks') return json(res, 200, { result: { temp: 3 } });
      if (req.url === '/api/agents/monitor/tasks') return json(res, 404, { error: 'not found' });
      if (req.url === '/api/actors/monitor/message') return json(res, 200, { status: 'sent', actor: 'monitor', result: 'ok' });
      json(res, 500, {});
    };
    const c = new RestClient(() => ({ apiUrl, token: null }));
    expect(await c.sendTask('weather', { city: 'Oslo' })).toEqual({ temp: 3 });
    expect(JSON.parse(seen[0]!.body)).toMatchObject({ payload: { city: 'Oslo' } });
    expect(await c.sendTask('monitor', 'ping')).toBe('ok');
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ content: 'ping' });
  });

  it('reads a streamed chat reply (SSE), however the bytes are split', async () => {
    handler = (_req, _b, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const events = 'data: {"chunk":"Hel"}\n\ndata: {"chunk":"lo"}\n\nevent: done\ndata: {"status":"sent","agent":"main","response":"Hello"}\n\n';
      // Deliberately awkward splits: mid-line and mid-event.
      const parts = [events.slice(0, 7), events.slice(7, 30), events.slice(30, 61), events.slice(61)];
      let i = 0;
      const next = () => {
        if (i < parts.length) {
          res.write(parts[i++]);
          setTimeout(next, 10);
        } else res.end();
      };
      next();
    };
    const chunks: string[] = [];
    const r = await new RestClient(() => ({ apiUrl, token: null })).chatStream('hi', (c) => chunks.push(c));
    expect(chunks).toEqual(['Hel', 'lo']);
    expect(r).toEqual({ status: 'sent', agent: 'main', response: 'Hello' });
    expect(seen[0]!.url).toBe('/api/chat?stream=1');
    expect(JSON.parse(seen[0]!.body)).toEqual({ message: 'hi' });
  });

  it('reports a chat error event', async () => {
    handler = (_req, _b, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('event: error\ndata: {"error":"no LLM configured"}\n\n');
    };
    await expect(new RestClient(() => ({ apiUrl, token: null })).chatStream('hi', () => undefined)).rejects.toThrow('no LLM configured');
  });

  it('loads an old version from /versions/{n}, or /code?version=n', async () => {
    handler = (req, _b, res) => {
      if (req.url === '/api/agents/a/versions/2') return json(res, 200, { code: 'v2', version: 2 });
      if (req.url === '/api/agents/b/versions/2') return json(res, 404, { error: 'not found' });
      if (req.url === '/api/agents/b/code?version=2') return json(res, 200, { name: 'b', code: 'b2', language: 'javascript', version: 2, versions: [] });
      if (req.url === '/api/agents/c/versions/2') return json(res, 404, { error: 'not found' });
      if (req.url === '/api/agents/c/code?version=2') return json(res, 200, { name: 'c', code: 'c3', language: 'javascript', version: 3, versions: [] });
      json(res, 500, {});
    };
    const c = new RestClient(() => ({ apiUrl, token: null }));
    expect(await c.getVersionCode('a', 2)).toBe('v2');
    expect(await c.getVersionCode('b', 2)).toBe('b2');
    // A hub that ignores ?version= must not pass the current code off as the old one.
    await expect(c.getVersionCode('c', 2)).rejects.toThrow(/does not serve/);
  });

  it('encodes names in paths', async () => {
    handler = (_req, _b, res) => json(res, 200, { ok: true });
    await new RestClient(() => ({ apiUrl, token: null })).rollback('a b/c', 3);
    expect(seen[0]!.url).toBe('/api/agents/a%20b%2Fc/rollback');
    expect(JSON.parse(seen[0]!.body)).toEqual({ version: 3 });
  });
});
