/**
 * agent.fetch's guard against real local servers: every spelling of this machine is refused
 * without `fetch_local` (and the server sees nothing), private/link-local/metadata/multicast
 * spellings are refused, `fetch_local` lifts only loopback and private, redirects are vetted again
 * and capped, and a DNS answer that changes after the check does not move the connection (two real
 * servers on 127.0.0.1 and 127.0.0.2, a resolver that flips). TLS still checks the URL's name.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAddress, isLoopbackHost } from './addresses.js';
import { FetchRefusedError, type Resolver } from './fetch-target.js';
import { safeFetch } from './safe-fetch.js';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

async function serve(host: string, port: number, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number; seen: Recorded[] }> {
  const seen: Recorded[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port, seen };
}

const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

function resolverOf(table: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (name: string) => {
    calls.push(name);
    const answers = table[name];
    if (!answers) throw Object.assign(new Error(`no such name ${name}`), { code: 'ENOTFOUND' });
    return answers.map((address) => ({ address, family: (address.includes(':') ? 6 : 4) as 4 | 6 }));
  };
  return Object.assign(fn, { calls });
}

describe('address categories', () => {
  it('judges embedded IPv4 by what it carries', () => {
    expect(classifyAddress('::ffff:7f00:1')).toBe('loopback');
    expect(classifyAddress('::127.0.0.1')).toBe('loopback');
    expect(classifyAddress('64:ff9b::10.0.0.1')).toBe('private');
    expect(classifyAddress('64:ff9b:1::a9fe:a9fe')).toBe('metadata');
    expect(classifyAddress('2002:c0a8:0101::1')).toBe('private');
    expect(classifyAddress('::ffff:169.254.169.254')).toBe('metadata');
    expect(classifyAddress('2606:4700:4700::1111')).toBe('public');
    expect(classifyAddress('8.8.8.8')).toBe('public');
    expect(classifyAddress('2001:db8::1')).toBe('reserved');
    expect(isLoopbackHost('LOCALHOST.')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('example.com')).toBe(false);
  });
});

describe('safeFetch', () => {
  let local: Awaited<ReturnType<typeof serve>>;
  const P = () => local.port;

  beforeAll(async () => {
    local = await serve('127.0.0.1', 0, (req, res) => {
      if (req.url?.startsWith('/to-metadata')) return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      if (req.url?.startsWith('/to-mapped-metadata')) return res.writeHead(307, { location: 'http://[::ffff:a9fe:a9fe]/latest/' }).end();
      if (req.url?.startsWith('/to-loopback')) return res.writeHead(302, { location: `http://127.0.0.1:${P()}/secret` }).end();
      const loop = /^\/loop\/(\d+)/.exec(req.url ?? '');
      if (loop) return res.writeHead(302, { location: `/loop/${Number(loop[1]) + 1}` }).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url, auth: req.headers.authorization ?? null }));
    });
  });
  afterAll(async () => {
    await close(local.server);
  });

  it('refuses this machine in every spelling without fetch_local, and the server sees nothing', async () => {
    const resolve = resolverOf({ 'rebind.test': ['127.0.0.1'], 'mixed.test': ['93.184.215.14', '127.0.0.1'], 'v6only.test': ['::1'] });
    const spellings = [
      `http://127.0.0.1:${P()}/`,
      `http://localhost:${P()}/`,
      `http://LOCALHOST.:${P()}/`,
      `http://api.localhost:${P()}/`,
      `http://2130706433:${P()}/`,
      `http://0x7f000001:${P()}/`,
      `http://0177.0.0.1:${P()}/`,
      `http://0x7f.1:${P()}/`,
      `http://127.1:${P()}/`,
      `http://127.0.0.2:${P()}/`,
      `http://[::1]:${P()}/`,
      `http://[::ffff:7f00:1]:${P()}/`,
      `http://[::ffff:127.0.0.1]:${P()}/`,
      `http://[0:0:0:0:0:ffff:127.0.0.1]:${P()}/`,
      `http://[::127.0.0.1]:${P()}/`,
      `http://[64:ff9b::7f00:1]:${P()}/`,
      `http://[2002:7f00:1::1]:${P()}/`,
      `http://rebind.test:${P()}/`,
      `http://mixed.test:${P()}/`,
      `http://v6only.test:${P()}/`,
    ];
    for (const url of spellings) {
      const err = await safeFetch({ url }, { allowLocal: false, resolve }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, url).toBeInstanceOf(FetchRefusedError);
      expect((err as Error).message, url).toMatch(/this machine[\s\S]*fetch_local/);
    }
    // 0 and 0.0.0.0 reach this machine on Linux: refused as the unspecified address, even with fetch_local.
    for (const url of [`http://0:${P()}/`, `http://0.0.0.0:${P()}/`, `http://[::]:${P()}/`]) {
      for (const allowLocal of [false, true]) {
        await expect(safeFetch({ url }, { allowLocal, resolve }), url).rejects.toMatchObject({ category: 'unspecified' });
      }
    }
    expect(local.seen).toEqual([]);
  });

  it('refuses private, link-local, metadata, multicast and broadcast spellings', async () => {
    const resolve = resolverOf({ 'lan.test': ['192.168.1.20'], 'cgnat.test': ['100.64.0.7'], 'ula.test': ['fd12:3456::1'] });
    const cases: [string, string][] = [
      ['http://10.0.0.1/', 'private'],
      ['http://172.16.0.1/', 'private'],
      ['http://192.168.1.1/', 'private'],
      ['http://3232235777/', 'private'], // 192.168.1.1 as a number
      ['http://100.64.0.1/', 'private'],
      ['http://[fd12::1]/', 'private'],
      ['http://[::ffff:10.0.0.1]/', 'private'],
      ['http://lan.test/', 'private'],
      ['http://cgnat.test/', 'private'],
      ['http://ula.test/', 'private'],
      ['http://169.254.169.254/latest/meta-data/', 'metadata'],
      ['http://0xa9fea9fe/', 'metadata'],
      ['http://[::ffff:a9fe:a9fe]/', 'metadata'],
      ['http://[fd00:ec2::254]/', 'metadata'],
      ['http://100.100.100.200/', 'metadata'],
      ['http://metadata.google.internal/computeMetadata/v1/', 'metadata'],
      ['http://169.254.10.10/', 'link-local'],
      ['http://[fe80::1]/', 'link-local'],
      ['http://224.0.0.1/', 'multicast'],
      ['http://[ff02::1]/', 'multicast'],
      ['http://255.255.255.255/', 'broadcast'],
      ['http://192.0.2.1/', 'reserved'],
    ];
    for (const [url, category] of cases) {
      await expect(safeFetch({ url }, { allowLocal: false, resolve }), url).rejects.toMatchObject({ name: 'FetchRefusedError', category });
    }
    // fetch_local lifts private, not metadata, link-local, multicast or broadcast.
    for (const [url, category] of cases.filter(([, c]) => c !== 'private')) {
      await expect(safeFetch({ url }, { allowLocal: true, resolve }), url).rejects.toMatchObject({ category });
    }
    await expect(safeFetch({ url: 'file:///etc/passwd' }, { allowLocal: true })).rejects.toMatchObject({ category: 'scheme' });
  });

  it('with fetch_local, this machine is reachable in its spellings', async () => {
    const resolve = resolverOf({ localhost: ['127.0.0.1'] });
    for (const host of ['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]', '2130706433', '127.1']) {
      const r = await safeFetch({ url: `http://${host}:${P()}/hello`, method: 'POST', body: { a: 1 } }, { allowLocal: true, resolve });
      expect(r.status, host).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ path: '/hello' });
    }
    expect(local.seen.at(-1)).toMatchObject({ method: 'POST', headers: { 'content-type': 'application/json' } });
  });

  it('vets every redirect: to a metadata address even with fetch_local, to loopback without it', async () => {
    const before = local.seen.length;
    await expect(safeFetch({ url: `http://127.0.0.1:${P()}/to-metadata` }, { allowLocal: true })).rejects.toMatchObject({ category: 'metadata' });
    await expect(safeFetch({ url: `http://127.0.0.1:${P()}/to-mapped-metadata` }, { allowLocal: true })).rejects.toMatchObject({ category: 'metadata' });
    expect(local.seen.slice(before).map((r) => r.url)).toEqual(['/to-metadata', '/to-mapped-metadata']);

    // A "public" host (the resolver says so) whose answer redirects to this machine: the first hop is
    // sent to the real local server through the transport seam, the redirect is refused before any socket.
    const resolve = resolverOf({ 'public.test': ['93.184.215.14'] });
    const fetchImpl: typeof fetch = (input, init) => fetch(String(input).replace(/^http:\/\/public\.test/, `http://127.0.0.1:${P()}`), init);
    const mark = local.seen.length;
    await expect(safeFetch({ url: 'http://public.test/to-loopback' }, { allowLocal: false, resolve, fetchImpl })).rejects.toThrow(/this machine[\s\S]*fetch_local/);
    expect(local.seen.slice(mark).map((r) => r.url)).toEqual(['/to-loopback']);
  });

  it('caps redirects and drops credentials when the origin changes', async () => {
    const mark = local.seen.length;
    await expect(safeFetch({ url: `http://127.0.0.1:${P()}/loop/0` }, { allowLocal: true, maxRedirects: 3 })).rejects.toThrow(/more than 3 redirects/);
    expect(local.seen.length - mark).toBe(4);

    const other = await serve('127.0.0.1', 0, (_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${P()}/landed` }).end());
    try {
      const r = await safeFetch({ url: `http://127.0.0.1:${other.port}/go`, headers: { Authorization: 'Bearer secret' } }, { allowLocal: true });
      expect(other.seen[0]?.headers.authorization).toBe('Bearer secret');
      expect(JSON.parse(r.body)).toEqual({ path: '/landed', auth: null });
      expect(r.url).toBe(`http://127.0.0.1:${P()}/landed`);
    } finally {
      await close(other.server);
    }
  });

  it('connects to the address that was checked, not to a later DNS answer', async () => {
    const a = await serve('127.0.0.1', 0, (_req, res) => res.end('A'));
    let b: Awaited<ReturnType<typeof serve>> | undefined;
    try {
      b = await serve('127.0.0.2', a.port, (_req, res) => res.end('B'));
      let n = 0;
      const flipping: Resolver = async () => [{ address: n++ === 0 ? '127.0.0.1' : '127.0.0.2', family: 4 }];
      const r = await safeFetch({ url: `http://rebind.test:${a.port}/` }, { allowLocal: true, resolve: flipping });
      expect(r.body).toBe('A');
      expect(n).toBe(1);
      expect(a.seen[0]?.headers.host).toBe(`rebind.test:${a.port}`);
      expect(b.seen).toEqual([]);
    } finally {
      await close(a.server);
      if (b) await close(b.server);
    }
  });

  it('caps the body', async () => {
    const big = await serve('127.0.0.1', 0, (_req, res) => res.end('x'.repeat(4096)));
    try {
      await expect(safeFetch({ url: `http://127.0.0.1:${big.port}/` }, { allowLocal: true, maxBodyBytes: 1024 })).rejects.toThrow(/larger than 1 KB/);
    } finally {
      await close(big.server);
    }
  });

  it.skipIf(!hasOpenssl())('TLS verifies the URL’s host name on the pinned connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wactorz-safe-fetch-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-subj', '/CN=good.test', '-addext', 'subjectAltName=DNS:good.test'], { cwd: dir, stdio: 'pipe' });
      const cert = readFileSync(join(dir, 'cert.pem'));
      const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (_req, res) => res.end('tls ok'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const port = (server.address() as AddressInfo).port;
      try {
        const resolve = resolverOf({ 'good.test': ['127.0.0.1'], 'evil.test': ['127.0.0.1'] });
        expect((await safeFetch({ url: `https://good.test:${port}/` }, { allowLocal: true, resolve, tls: { ca: cert } })).body).toBe('tls ok');
        await expect(safeFetch({ url: `https://evil.test:${port}/` }, { allowLocal: true, resolve, tls: { ca: cert } })).rejects.toThrow(/altnames|certificate|Hostname/i);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
