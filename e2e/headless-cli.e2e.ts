/**
 * `npm run wactorz` as a user runs it: the built headless hub in its own process. It must print
 * where everything is (and what to set with no LLM), serve REST, run a DynamicAgent (its sandbox
 * worker ships with the build), and stop cleanly on SIGINT.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../src/main/testing/wait.js';

const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'wz-cli-e2e-'));
let child: ChildProcessWithoutNullStreams | undefined;
let out = '';
afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('the headless hub (bin/wactorz.mjs)', () => {
  it('starts, says what to configure, serves REST, runs a DynamicAgent and stops on SIGINT', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    // The original's variables configure the hub too (docs/compatibility.md): none may leak in from the machine;
    // nor vitest's NODE_ENV=test (a dashboard build it may run would ship React's dev runtime).
    for (const k of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'NIM_API_KEY', 'NVIDIA_API_KEY', 'GOOGLE_API_KEY', 'LLM_API_KEY', 'LLM_PROVIDER', 'LLM_MODEL', 'MQTT_HOST', 'HA_URL', 'HA_TOKEN', 'API_KEY', 'NODE_ENV']) delete env[k];
    child = spawn(process.execPath, [join(root, 'bin/wactorz.mjs'), '--state-dir', dir, '--mqtt-port', '0', '--monitor-port', '0', '--interface', 'rest', '--port', '0'], { cwd: root, env });
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await waitUntil(() => /REST:\s+http:\/\/127\.0\.0\.1:\d+/.test(out), 'the startup lines', 120_000).catch((e: Error) => {
      throw new Error(`${e.message}; output so far:\n${out}`);
    });
    expect(out).toMatch(/Dashboard:\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/MQTT:\s+embedded broker on 127\.0\.0\.1:\d+/);
    expect(out).toMatch(/No LLM configured: set ANTHROPIC_API_KEY/);
    const rest = /REST:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;

    const created = await fetch(`${rest}/agents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'doubler', code: 'export async function setup(agent) {}\nexport async function handleTask(agent, p) { return { doubled: p.n * 2 }; }' }),
    });
    expect(created.status).toBe(201);
    const task = await fetch(`${rest}/agents/doubler/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payload: { n: 21 } }) });
    expect(await task.json()).toEqual({ result: { doubled: 42 } });

    const exited = new Promise<number | null>((r) => child!.on('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopping agents, flushing state/);
  });
});
