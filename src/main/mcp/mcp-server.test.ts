/**
 * `wactorz-mcp` with the MCP SDK's own Client over stdio (StdioClientTransport spawning the server
 * as its own process), against a real hub started here (startWactorz, REST interface, API_KEY
 * set). The server runs from its headless bundle (built here with esbuild into a temp dir, as
 * scripts/build-headless.mjs builds it) and once from source through tsx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { build } from 'esbuild';
import Fastify, { type FastifyInstance } from 'fastify';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { WactorzHandle } from '../wactorz-handle.js';
import { hubTest } from '../testing/hub-fixture.js';
import { createAgentRequestSchema, updateCodeRequestSchema } from '../../shared/rest.js';

const root = join(import.meta.dirname, '../../..');
const tmp = mkdtempSync(join(tmpdir(), 'wz-mcp-'));
const bundle = join(tmp, 'mcp-cli.js');
const API_KEY = 'mcp-test-key';
const clients: Client[] = [];
hubTest.override('hubOptions', { env: { API_KEY } });

beforeAll(async () => {
  await build({
    entryPoints: [join(root, 'src/main/mcp/mcp-cli.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    banner: { js: "import { createRequire as __wzCreateRequire } from 'node:module'; const require = __wzCreateRequire(import.meta.url);" },
  });
}, 120_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  rmSync(tmp, { recursive: true, force: true });
});

async function connect(args: string[], opts: { fromSource?: boolean; env?: Record<string, string> } = {}): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: opts.fromSource ? ['--import', 'tsx', join(root, 'src/main/mcp/mcp-cli.ts'), ...args] : [bundle, ...args],
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...(opts.env ?? {}) },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'wactorz-mcp-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const textOf = (r: unknown): string =>
  ((r as CallToolResult).content ?? [])
    .filter((c) => c.type === 'text')
    .map((c) => (c as { text: string }).text)
    .join('\n');

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('wactorz-mcp against a real hub', () => {
  let hub: WactorzHandle;
  let client: Client;

  hubTest.beforeAll(async ({ hub: started }) => {
    hub = started.handle;
    client = await connect(['--url', hub.restUrl!, '--api-key', API_KEY]);
  }, 60_000);

  it('lists the Wactorz tools with their input schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['chat', 'get_agent_code', 'list_agents', 'send_task', 'spawn_agent', 'update_agent_code']);
    const spawn = tools.find((t) => t.name === 'spawn_agent')!;
    expect(Object.keys(spawn.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['name', 'code', 'recipe', 'config']));
    const task = tools.find((t) => t.name === 'send_task')!;
    expect(task.inputSchema.required).toEqual(expect.arrayContaining(['agent']));
  });

  it('list_agents shows the core actors', async () => {
    const r = await client.callTool({ name: 'list_agents', arguments: {} });
    expect(r.isError).toBeFalsy();
    expect(textOf(r)).toMatch(/^\d+ agents:/);
    for (const name of ['main', 'monitor', 'io']) expect(textOf(r)).toMatch(new RegExp(`- ${name} — running, core, protected`));
  });

  it('chat talks to main (commands work without an LLM)', async () => {
    const r = await client.callTool({ name: 'chat', arguments: { message: '/agents' } });
    expect(r.isError).toBeFalsy();
    expect(textOf(r)).toMatch(/main\s+running/);
    const ghost = await client.callTool({ name: 'chat', arguments: { message: '@ghost {"x":1}' } });
    expect(textOf(ghost)).toMatch(/no agent named "ghost"/);
  });

  it('send_task returns the agent’s RESULT, and its refusal as a tool error', async () => {
    const r = await client.callTool({ name: 'send_task', arguments: { agent: 'monitor', payload: { action: 'health' } } });
    expect(r.isError).toBeFalsy();
    expect(textOf(r)).toMatch(/^Result from monitor:/);
    const health = JSON.parse(textOf(r).split('\n').slice(1).join('\n'));
    expect(health).toMatchObject({ total_actors: expect.any(Number) });
    const bad = await client.callTool({ name: 'send_task', arguments: { agent: 'monitor', payload: { action: 'dance' } } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/monitor understands \{"action":"health"\}/);
    const nobody = await client.callTool({ name: 'send_task', arguments: { agent: 'nobody', payload: {} } });
    expect(nobody.isError).toBe(true);
    expect(textOf(nobody)).toMatch(/nobody/);
  });

  it('spawn_agent / get_agent_code / update_agent_code use the hub’s agent routes, or say the hub lacks them', async () => {
    const code = 'export async function handleTask(agent, payload) { return { echo: payload }; }\n';
    const spawned = await client.callTool({ name: 'spawn_agent', arguments: { name: 'mcp-echo', code, description: 'echoes' } });
    if (spawned.isError && /does not serve POST \/agents/.test(textOf(spawned))) {
      // A hub without the DynamicAgent routes: every code tool says so plainly.
      const get = await client.callTool({ name: 'get_agent_code', arguments: { name: 'mcp-echo' } });
      expect(get.isError).toBe(true);
      expect(textOf(get)).toMatch(/does not serve GET \/agents\/mcp-echo\/code/);
      return;
    }
    expect(spawned.isError, textOf(spawned)).toBeFalsy();
    const echo = await client.callTool({ name: 'send_task', arguments: { agent: 'mcp-echo', payload: { hi: 1 } } });
    expect(textOf(echo)).toMatch(/"echo"/);
    const read = await client.callTool({ name: 'get_agent_code', arguments: { name: 'mcp-echo' } });
    expect(textOf(read)).toContain('return { echo: payload }');
    const updated = await client.callTool({ name: 'update_agent_code', arguments: { name: 'mcp-echo', code: code.replace('echo', 'again') } });
    expect(updated.isError, textOf(updated)).toBeFalsy();
    expect(textOf(await client.callTool({ name: 'get_agent_code', arguments: { name: 'mcp-echo' } }))).toContain('again: payload');
  });

  it('spawn_agent insists on exactly one of code or recipe', async () => {
    const neither = await client.callTool({ name: 'spawn_agent', arguments: { name: 'x' } });
    expect(neither.isError).toBe(true);
    expect(textOf(neither)).toMatch(/exactly one of `code`/);
    const both = await client.callTool({ name: 'spawn_agent', arguments: { name: 'x', code: 'x', recipe: 'y' } });
    expect(both.isError).toBe(true);
  });

  it('says clearly when the API key is wrong', { timeout: 60_000 }, async () => {
    const wrong = await connect(['--url', hub.restUrl!, '--api-key', 'nope']);
    const r = await wrong.callTool({ name: 'list_agents', arguments: {} });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/refused the API key — pass --api-key/);
  });

  it('runs from source too (tsx), reading API_KEY from the environment', { timeout: 60_000 }, async () => {
    const src = await connect(['--url', hub.restUrl!], { fromSource: true, env: { API_KEY } });
    const r = await src.callTool({ name: 'list_agents', arguments: {} });
    expect(r.isError).toBeFalsy();
    expect(textOf(r)).toMatch(/- main — running/);
  });
});

describe('wactorz-mcp without a running hub', () => {
  it('starts anyway, and every tool says the hub is not reachable and how to start it', { timeout: 60_000 }, async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const client = await connect(['--url', url]);
    for (const [name, args] of [
      ['list_agents', {}],
      ['chat', { message: 'hi' }],
      ['send_task', { agent: 'main', payload: {} }],
      ['get_agent_code', { name: 'x' }],
    ] as const) {
      const r = await client.callTool({ name, arguments: args });
      expect(r.isError, name).toBe(true);
      expect(textOf(r)).toContain(`Wactorz is not reachable at ${url}`);
      expect(textOf(r)).toContain('start it with `npm run wactorz -- --interface rest`');
    }
  });
});

describe('wactorz-mcp against the agent/catalog route contract (src/shared/rest.ts)', () => {
  // A stand-in for the hub's DynamicAgent and catalog routes, speaking the contract's bodies, so the
  // tools' requests and the way they surface the hub's errors are checked whether or not the real
  // routes are in this build.
  let app: FastifyInstance;
  let client: Client;
  const seen: { method: string; url: string; body: unknown }[] = [];
  const versions = new Map<string, string[]>();

  beforeAll(async () => {
    app = Fastify();
    app.addHook('preHandler', async (req) => void seen.push({ method: req.method, url: req.url, body: req.body }));
    app.post('/agents', async (req, reply) => {
      const body = createAgentRequestSchema.safeParse(req.body);
      if (!body.success) return reply.status(400).send({ error: 'invalid request body', detail: body.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      if (body.data.code.includes('syntax error')) {
        return reply.status(400).send({ error: 'the code does not compile', detail: [{ message: "';' expected", line: 3, column: 7, severity: 'error' }] });
      }
      versions.set(body.data.name, [body.data.code]);
      return reply.status(201).send({ status: 'spawned', name: body.data.name, version: 1 });
    });
    app.get<{ Params: { name: string } }>('/agents/:name/code', async (req, reply) => {
      const v = versions.get(req.params.name);
      if (!v) return reply.status(404).send({ error: `agent ${req.params.name} not found` });
      return { name: req.params.name, code: v.at(-1), language: 'typescript', version: v.length, versions: v.map((_, i) => ({ version: i + 1, created_at: 0 })) };
    });
    app.put<{ Params: { name: string } }>('/agents/:name/code', async (req) => {
      const { code } = updateCodeRequestSchema.parse(req.body);
      versions.get(req.params.name)!.push(code);
      return { status: 'deployed', name: req.params.name, version: versions.get(req.params.name)!.length };
    });
    app.post<{ Params: { recipe: string } }>('/catalog/:recipe/spawn', async (req, reply) => {
      if (req.params.recipe !== 'weather') return reply.status(404).send({ error: `recipe ${req.params.recipe} not found` });
      return { status: 'spawned', name: (req.body as { name?: string }).name ?? 'weather', recipe: 'weather' };
    });
    app.post<{ Params: { name: string } }>('/agents/:name/tasks', async (req) => ({ result: { got: (req.body as { payload: unknown }).payload } }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    client = await connect(['--url', `http://127.0.0.1:${(app.server.address() as { port: number }).port}`]);
  }, 60_000);
  afterAll(() => app?.close());

  it('spawns from code and from a recipe with the contract’s bodies', async () => {
    const code = 'export async function handleTask(agent, p) { return p; }';
    const r = await client.callTool({ name: 'spawn_agent', arguments: { name: 'echo', code, language: 'typescript', capabilities: ['echo'] } });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/agents', body: { name: 'echo', code, language: 'typescript', capabilities: ['echo'] } });
    const fromRecipe = await client.callTool({ name: 'spawn_agent', arguments: { recipe: 'weather', config: { city: 'Oslo' } } });
    expect(textOf(fromRecipe)).toMatch(/^Spawned from recipe weather:/);
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/catalog/weather/spawn', body: { config: { city: 'Oslo' } } });
    const unknown = await client.callTool({ name: 'spawn_agent', arguments: { recipe: 'nope' } });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toBe('POST /catalog/nope/spawn failed (HTTP 404): recipe nope not found');
  });

  it('surfaces validation errors and code diagnostics with their lines', async () => {
    const badName = await client.callTool({ name: 'spawn_agent', arguments: { name: 'has space', code: 'x' } });
    expect(badName.isError).toBe(true);
    const broken = await client.callTool({ name: 'spawn_agent', arguments: { name: 'broken', code: 'a\nb\nsyntax error' } });
    expect(broken.isError).toBe(true);
    expect(textOf(broken)).toBe("POST /agents failed (HTTP 400): the code does not compile\n- line 3:7 (error): ';' expected");
  });

  it('reads and updates code, and sends tasks through /agents/{name}/tasks', async () => {
    await client.callTool({ name: 'spawn_agent', arguments: { name: 'coder', code: 'export const v = 1;' } });
    const upd = await client.callTool({ name: 'update_agent_code', arguments: { name: 'coder', code: 'export const v = 2;' } });
    expect(textOf(upd)).toMatch(/"version": 2/);
    const read = await client.callTool({ name: 'get_agent_code', arguments: { name: 'coder' } });
    expect(textOf(read)).toBe('coder — version 2, typescript (versions: 1, 2)\n\n```ts\nexport const v = 2;\n```');
    const missing = await client.callTool({ name: 'get_agent_code', arguments: { name: 'ghost' } });
    expect(textOf(missing)).toBe('GET /agents/ghost/code failed (HTTP 404): agent ghost not found');
    const task = await client.callTool({ name: 'send_task', arguments: { agent: 'coder', payload: [1, 2], timeout_ms: 5000 } });
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/agents/coder/tasks', body: { payload: [1, 2], timeout_ms: 5000 } });
    expect(JSON.parse(textOf(task).split('\n').slice(1).join('\n'))).toEqual({ got: [1, 2] });
  });
});
