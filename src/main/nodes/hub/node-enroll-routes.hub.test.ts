/**
 * The fleet-key routes (POST /nodes/:node/enroll, POST /nodes/:node/key/rotate, DELETE
 * /nodes/:node/key) hand out and change node keys, so only the user may reach them — against a real
 * hub with API_KEY set (real HTTP, embedded broker, a sandboxed agent):
 * - an anonymous client gets 401 and no key; a web page (cross-site, or a form POST) gets 403/415;
 * - agent code with `fetch` cannot reach them on loopback;
 * - with the key: the code is shown once (no-store), never again (GET /nodes shows the key id only),
 *   a second enrollment needs `replace`, and a revoked node is not enrolled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/logger.js';
import { startWactorz } from '../../wactorz.js';
import { parseEnrollmentCode } from '../trust/enrollment-code.js';

const KEY = 'enroll-routes-api-key-0123456789';
const PROBE = `export async function handleTask(agent, p) {
  try { const r = await agent.fetch(p.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }); return { ok: true, status: r.status }; }
  catch (e) { return { ok: false, error: String(e && e.message || e) }; }
}`;

let root: string;
let hub: Awaited<ReturnType<typeof startWactorz>>;
const url = (path: string) => `${hub.restUrl}${path}`;
const call = (path: string, method: string, headers: Record<string, string> = {}, body?: string) => fetch(url(path), { method, headers, ...(body !== undefined ? { body } : {}) });
const asUser = (path: string, method = 'POST', body = '{}') =>
  method === 'POST' ? call(path, method, { 'content-type': 'application/json', 'x-api-key': KEY }, body) : call(path, method, { 'x-api-key': KEY });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wz-enroll-routes-'));
  hub = await startWactorz(
    { stateDir: join(root, 'hub'), llm: { provider: 'none' }, interface: 'rest', restPort: 0, monitorPort: null, mqtt: { port: 0 } },
    { log: silentLogger, env: { API_KEY: KEY } },
  );
}, 60_000);

afterAll(async () => {
  await hub?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the fleet-key routes', () => {
  it('give an anonymous client, a web page and agent code nothing', async () => {
    for (const [path, method] of [['/nodes/garage/enroll', 'POST'], ['/nodes/garage/key/rotate', 'POST'], ['/nodes/garage/key', 'DELETE']] as const) {
      const anonymous = method === 'POST' ? await call(path, method, { 'content-type': 'application/json' }, '{}') : await call(path, method);
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      expect(await anonymous.text()).not.toMatch(/wnk1:/);
    }
    // A page on another origin, even one that somehow has the key; a form POST (text/plain).
    const crossSite = await call('/nodes/garage/enroll', 'POST', { 'content-type': 'application/json', 'x-api-key': KEY, origin: 'https://evil.example' }, '{}');
    expect(crossSite.status).toBe(403);
    const form = await call('/nodes/garage/enroll', 'POST', { 'content-type': 'text/plain', 'x-api-key': KEY }, '{}');
    expect(form.status).toBe(415);

    // Agent code with `fetch` (no fetch_local): the hub's own REST is loopback, refused.
    const created = await asUser('/agents', 'POST', JSON.stringify({ name: 'implant', code: PROBE, capabilities: ['fetch'] }));
    expect(created.status, await created.text()).toBe(201);
    const port = new URL(hub.restUrl!).port;
    for (const target of [`http://127.0.0.1:${port}/nodes/garage/enroll`, `http://[::ffff:7f00:1]:${port}/nodes/garage/enroll`]) {
      const r = await asUser('/agents/implant/tasks', 'POST', JSON.stringify({ payload: { url: target } }));
      const { result } = (await r.json()) as { result: { ok: boolean; error?: string } };
      expect(result.ok, target).toBe(false);
      expect(result.error, target).toMatch(/is this machine; requests to it need the `fetch_local` capability/);
    }
    expect(hub.nodes.trust.keys.enrolled('garage')).toBe(false);
  }, 60_000);

  it('show the user the code once; a second enrollment needs replace; revoke forgets the key', async () => {
    const first = await asUser('/nodes/garage/enroll');
    expect(first.status).toBe(201);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const body = (await first.json()) as { code: string; key_id: string; command: string; replaced: boolean };
    const parsed = parseEnrollmentCode(body.code);
    expect(parsed.ok && parsed.node).toBe('garage');
    expect(body).toMatchObject({ replaced: false, command: `wactorz node enroll --name garage --code ${body.code}` });

    const listed = await (await asUser('/nodes', 'GET')).text();
    expect(listed).toContain(body.key_id);
    expect(listed).not.toContain(body.code);

    const again = await asUser('/nodes/garage/enroll');
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toMatch(/enrolled already.*"replace": true.*key\/rotate/);
    const replaced = (await (await asUser('/nodes/garage/enroll', 'POST', '{"replace": true}')).json()) as { key_id: string; replaced: boolean };
    expect(replaced.replaced).toBe(true);
    expect(replaced.key_id).not.toBe(body.key_id);

    expect((await asUser('/nodes/garage/key', 'DELETE')).status).toBe(200);
    expect(hub.nodes.trust.keys.enrolled('garage')).toBe(false);
    expect((await asUser('/nodes/garage/key', 'DELETE')).status).toBe(404);
    expect((await asUser('/nodes/garage/key/rotate')).status).toBe(404);
  }, 30_000);
});
