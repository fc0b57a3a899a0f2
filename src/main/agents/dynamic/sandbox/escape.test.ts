/**
 * The escape suite: generated code trying to reach what it was not granted. Each probe runs inside
 * a real sandboxed agent and reports what it got; any reach into the host is a failure.
 */
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandboxedAgent, SandboxError, type SandboxedAgent } from './index.js';
import { RecordingHost } from './testing/recording-host.js';

const agents: SandboxedAgent[] = [];
afterAll(async () => {
  await Promise.all(agents.map((a) => a.terminate()));
});

async function spawn(code: string, host = new RecordingHost()): Promise<SandboxedAgent> {
  const agent = await createSandboxedAgent({ name: `escape-${agents.length}`, code, host, limits: { callTimeoutMs: 5_000 } });
  agents.push(agent);
  await agent.setup();
  return agent;
}

// Each probe returns a string; 'LEAK' anywhere in it means the sandbox let something through.
const PROBES = String.raw`
const probes = {
  require: () => { try { return 'LEAK ' + typeof require('child_process').execSync } catch (e) { return 'blocked: ' + e.message } },
  requireViaModule: () => { try { return 'LEAK ' + typeof module.require } catch (e) { return 'blocked: ' + e.message } },
  importFs: async () => { try { const fs = await import('node:fs'); return 'LEAK ' + typeof fs.readFileSync } catch (e) { return 'blocked: ' + e.message } },
  importChildProcess: async () => { try { const cp = await import('child_process'); return 'LEAK ' + typeof cp.exec } catch (e) { return 'blocked: ' + e.message } },
  importNet: async () => { try { const net = await import('node:net'); return 'LEAK ' + typeof net.connect } catch (e) { return 'blocked: ' + e.message } },
  processBinding: () => { try { return 'LEAK ' + typeof process.binding('fs') } catch (e) { return 'blocked: ' + e.message } },
  processEnv: () => { try { return 'LEAK ' + Object.keys(process.env).length } catch (e) { return 'blocked: ' + e.message } },
  globalProcess: () => (typeof globalThis.process === 'undefined' ? 'blocked' : 'LEAK globalThis.process'),
  functionCtorThis: () => { const g = Function('return this')(); return g.process || g.require ? 'LEAK via Function("return this")' : 'blocked' },
  objectCtorCtor: () => { const p = ({}).constructor.constructor('return typeof process === "undefined" ? undefined : process')(); return p ? 'LEAK via ({}).constructor.constructor' : 'blocked' },
  globalCtorCtor: () => { const p = globalThis.constructor.constructor('return typeof process === "undefined" ? undefined : process')(); return p ? 'LEAK via globalThis.constructor.constructor' : 'blocked' },
  agentMethodCtor: (agent) => { const p = agent.log.constructor.constructor('return typeof process === "undefined" ? undefined : process')(); return p ? 'LEAK via agent.log.constructor.constructor' : 'blocked' },
  agentLlmCtor: (agent) => { const p = agent.llm.chat.constructor.constructor('return typeof process === "undefined" ? undefined : process')(); return p ? 'LEAK via agent.llm.chat' : 'blocked' },
  asyncFunctionCtor: async () => { const AF = (async function () {}).constructor; const t = await AF('return typeof process')(); return t === 'undefined' ? 'blocked' : 'LEAK async ctor: ' + t },
  generatorFunctionCtor: () => { const GF = (function* () {}).constructor; const t = GF('yield typeof require')().next().value; return t === 'undefined' ? 'blocked' : 'LEAK generator ctor' },
  prepareStackTrace: async (agent) => {
    let seen = 'none';
    Error.prepareStackTrace = (err, frames) => { seen = typeof frames; for (const f of frames || []) { const t = f && f.getThis && f.getThis(); if (t && (t.process || t.require)) return 'LEAK host frame'; } return 'x' };
    try { agent.publish(undefined, 1) } catch (e) { String(e.stack) }
    try { await agent.sendTo('nobody', {}) } catch (e) { if (e.stack && String(e.stack).includes('LEAK')) return 'LEAK ' + e.stack; if (Object.getPrototypeOf(e) !== Error.prototype) return 'LEAK foreign error prototype'; }
    return 'blocked (prepareStackTrace frames: ' + seen + ')';
  },
  hostErrorPrototype: async (agent) => {
    try { await agent.recall('') } catch (e) { const p = e.constructor.constructor('return typeof process')(); return p === 'undefined' ? 'blocked' : 'LEAK via host error' }
    return 'no error';
  },
  rawHostFunctions: () => { const names = ['__wzSend', '__wzCall', '__wzDone', '__wzTimer', '__wzYield'].filter((n) => typeof globalThis[n] !== 'undefined'); return names.length ? 'LEAK raw host functions: ' + names : 'blocked' },
  nodeGlobals: () => { const names = ['require', 'module', 'exports', 'process', 'Buffer', 'global', 'fetch', 'XMLHttpRequest', 'WebSocket', 'importScripts', 'setImmediate', '__dirname', '__filename', 'WebAssembly', 'std', 'os', 'Deno', 'Bun'].filter((n) => typeof globalThis[n] !== 'undefined'); return names.length ? 'LEAK globals: ' + names : 'blocked' },
  evalInside: () => { const t = eval('typeof process + typeof require'); return t === 'undefinedundefined' ? 'blocked' : 'LEAK eval: ' + t },
  fetchWithoutGrant: async (agent) => { try { await agent.fetch('http://127.0.0.1:9/'); return 'LEAK fetch allowed' } catch (e) { return 'blocked: ' + e.message } },
  sharedMemory: () => { try { const sab = new SharedArrayBuffer(8); Atomics.add(new Int32Array(sab), 0, 1); return 'shared memory inside only' } catch (e) { return 'blocked: ' + e.message } },
};
export async function handleTask(agent, name) { return probes[name](agent); }
export const probeNames = Object.keys(probes);
`;

const PROBE_NAMES = [
  'require', 'requireViaModule', 'importFs', 'importChildProcess', 'importNet', 'processBinding', 'processEnv', 'globalProcess',
  'functionCtorThis', 'objectCtorCtor', 'globalCtorCtor', 'agentMethodCtor', 'agentLlmCtor', 'asyncFunctionCtor',
  'generatorFunctionCtor', 'prepareStackTrace', 'hostErrorPrototype', 'rawHostFunctions', 'nodeGlobals', 'evalInside',
  'fetchWithoutGrant', 'sharedMemory',
];

describe('escape suite: generated code reaches nothing it was not granted', () => {
  it.each(PROBE_NAMES)('%s is blocked', async (probe) => {
    const agent = await sharedProbeAgent();
    const report = String(await agent.handleTask(probe));
    expect(report).not.toMatch(/LEAK/);
    expect(report.length).toBeGreaterThan(0);
  });

  it('the probes do detect a leak where there is one (control: the same probes in node:vm)', () => {
    // node:vm is what n8n-style sandboxes used: objects handed in from the host lead back to it.
    const probesObject = PROBES.slice(0, PROBES.indexOf('export async function'));
    const hostAgent = { log: () => undefined, llm: { chat: () => undefined } };
    const probes = runInNewContext(`${probesObject}; probes`, { agent: hostAgent }) as Record<string, (a: unknown) => string>;
    expect(probes.agentMethodCtor!(hostAgent)).toMatch(/LEAK/);
    expect(probes.globalCtorCtor!(hostAgent)).toMatch(/LEAK/);
  });

  it('names the missing capability when fetch is not granted', async () => {
    const agent = await sharedProbeAgent();
    expect(await agent.handleTask('fetchWithoutGrant')).toMatch(/not granted/);
  });

  it('fetch works only through a host that grants it, and only to http(s)', async () => {
    const requests: string[] = [];
    const host = new RecordingHost({
      fetch: async (req) => {
        requests.push(`${req.method ?? 'GET'} ${req.url}`);
        return { status: 200, statusText: 'OK', headers: { 'content-type': 'application/json' }, body: '{"ok":true}', url: req.url };
      },
    });
    const agent = await spawn(
      `export async function handleTask(agent, url) {
         try { const r = await agent.fetch(url, { method: 'post', body: { a: 1 } }); return { status: r.status, body: await r.json() } }
         catch (e) { return { error: e.message } }
       }`,
      host,
    );
    expect(await agent.handleTask('https://example.test/hook')).toEqual({ status: 200, body: { ok: true } });
    expect(await agent.handleTask('file:///etc/passwd')).toEqual({ error: expect.stringMatching(/invalid arguments|http/) });
    expect(requests).toEqual(['POST https://example.test/hook']);
  });

  it("touching the sandbox's globals changes nothing in the hub or in another agent", async () => {
    const vandal = await spawn(`export async function handleTask() {
      Object.prototype.polluted = 'yes';
      Array.prototype.map = function () { return 'hijacked' };
      JSON.parse = () => 'pwned';
      JSON.stringify = () => '"pwned"';
      globalThis.shared = 'from vandal';
      return 'done';
    }`);
    const bystander = await spawn(`export async function handleTask() {
      return { polluted: ({}).polluted ?? null, map: [1, 2].map((x) => x * 2), parse: JSON.parse('{"a":1}'), shared: globalThis.shared ?? null };
    }`);
    // The vandal's result goes out through its own (overwritten) JSON.stringify: that is its business.
    await vandal.handleTask(null);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect([1, 2].map((x) => x + 1)).toEqual([2, 3]);
    expect(JSON.parse('{"a":1}')).toEqual({ a: 1 });
    expect(await bystander.handleTask(null)).toEqual({ polluted: null, map: [2, 4], parse: { a: 1 }, shared: null });
  });

  it('an agent that rewrites the built-ins still gets its answers through (the protocol kept the originals)', async () => {
    const agent = await spawn(`
      export async function setup(agent) {
        JSON.stringify = () => 'garbage'; JSON.parse = () => ({ forged: true });
        Array.prototype.push = () => 0; Array.prototype.map = () => []; Array.prototype.join = () => '';
        Promise.prototype.then = function () { return this };
        Map.prototype.get = () => undefined; Reflect.apply = () => undefined;
        Function.prototype.call = () => undefined; Function.prototype.apply = () => undefined; Function.prototype.bind = () => () => undefined;
      }
      export async function handleTask(agent, p) { return { got: p, answer: 42 } }`);
    expect(await agent.handleTask({ q: 'still?' })).toEqual({ got: { q: 'still?' }, answer: 42 });
  });

  it('an agent that poisons serialisation breaks only its own answers, never the hub', async () => {
    const agent = await createSandboxedAgent({
      name: 'poisoner',
      host: new RecordingHost(),
      limits: { callTimeoutMs: 1_000 },
      code: `export async function handleTask(agent, p) { Object.prototype.toJSON = () => 12345; Array.prototype.toJSON = () => 'not a list'; return p }`,
    });
    agents.push(agent);
    const err = await agent.handleTask({ a: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SandboxError);
    const bystander = await spawn(`export async function handleTask(agent, p) { return p * 2 }`);
    expect(await bystander.handleTask(21)).toBe(42);
  });

  it("an agent cannot read another agent's state, globals or persisted keys", async () => {
    const ownerHost = new RecordingHost();
    const owner = await spawn(
      `export async function setup(agent) { agent.state.secret = 's3cr3t'; globalThis.secret = 's3cr3t'; await agent.persist('secret', 's3cr3t'); }
       export async function handleTask(agent) { return agent.state.secret }`,
      ownerHost,
    );
    const snoop = await spawn(`export async function handleTask(agent) {
      const found = [];
      if (globalThis.secret) found.push('global');
      if (JSON.stringify(agent.state).includes('s3cr3t')) found.push('state');
      if (await agent.recall('secret')) found.push('persisted');
      for (const k of Object.getOwnPropertyNames(globalThis)) { try { if (JSON.stringify(globalThis[k] ?? null).includes('s3cr3t')) found.push('global ' + k) } catch {} }
      return found;
    }`);
    expect(await owner.handleTask(null)).toBe('s3cr3t');
    expect(ownerHost.store.get('secret')).toBe('s3cr3t');
    expect(await snoop.handleTask(null)).toEqual([]);
  });

  it('process.exit is not there to call: the task fails, the agent and the hub go on', async () => {
    const agent = await spawn(`export async function handleTask(agent, p) { if (p === 'exit') process.exit(1); return 'alive' }`);
    const err = await agent.handleTask('exit').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).kind).toBe('crash');
    expect((err as SandboxError).fatal).toBe(false);
    expect((err as SandboxError).message).toMatch(/process/);
    expect(await agent.handleTask('again')).toBe('alive');
  });
});

let probeAgent: Promise<SandboxedAgent> | undefined;
function sharedProbeAgent(): Promise<SandboxedAgent> {
  probeAgent ??= spawn(PROBES);
  return probeAgent;
}
