/**
 * src/shared/agent-api.ts as the editor sees it: turned into global declarations, it must
 * type-check a real agent and catch misuse of the API.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { agentApiAmbientDts } from '../../../../shared/agent-api-ambient.js';

const apiSource = readFileSync(fileURLToPath(new URL('../../../../shared/agent-api.ts', import.meta.url)), 'utf8');
const ambient = agentApiAmbientDts(apiSource);

/** Type-checks `code` as agent.ts against the ambient API and ES2023 only (no DOM, no Node). */
function typeErrors(code: string): string[] {
  const files: Record<string, string> = { 'agent.ts': code, 'wactorz-agent-api.d.ts': ambient };
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, strict: true, noEmit: true, lib: ['lib.es2023.d.ts'], types: [] };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (f) => files[f] ?? readFile(f);
  host.fileExists = (f) => f in files || ts.sys.fileExists(f);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang) => (f in files ? ts.createSourceFile(f, files[f]!, lang) : getSourceFile(f, lang));
  const program = ts.createProgram(Object.keys(files), options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('agent API declarations for the editor', () => {
  it('are global declarations (no exports left)', () => {
    expect(ambient).not.toMatch(/^export /m);
    expect(ambient).toMatch(/^interface Agent \{/m);
    expect(ambient).toMatch(/declare var console: AgentConsole/);
  });

  it('type-check a real agent', () => {
    const errors = typeErrors(`
      export async function setup(agent: Agent): Promise<void> {
        agent.interval = 30;
        agent.state.count ??= 0;
        agent.subscribe('homeassistant/state_changes/#', async (msg, topic) => {
          if (msg.entity_id === 'light.lamp' && msg.new_state?.state === 'on') {
            await agent.fetch(agent.env.WEBHOOK_URL!, { method: 'POST', body: { content: 'Lamp on (' + topic + ')' } });
          }
        });
      }
      export async function process(agent: Agent) {
        const samples: WindowSample[] = await agent.window('sensors/temp', 600);
        const reply: string = await agent.llm.chat([{ role: 'user', content: JSON.stringify(samples) }], { system: 'Summarise' });
        agent.publish('digest/temp', { reply }, { retain: true });
        const timer = setTimeout(() => console.log('later'), 10); clearTimeout(timer);
      }
      export async function handleTask(agent: Agent, payload: { city: string }) {
        const w = await agent.sendTo<{ celsius: number }>('weather', payload, 10);
        await agent.persist('last', w); const last = await agent.recall<{ celsius: number }>('last');
        const names = (await agent.agents()).map((a) => a.name);
        agent.log('done', 'debug'); agent.alert('hot', 'critical'); await agent.sleep(1);
        return { celsius: w.celsius, last, names, topics: (await agent.topics()).length, next: await agent.mqttGet('x/y', 5) };
      }
    `);
    expect(errors).toEqual([]);
  });

  it('type-check an agent written for the original (its calls and snake_case names)', () => {
    const errors = typeErrors(`
      export async function setup(agent: Agent) {
        await agent.declare_contract(['home/kitchen/presence'], ['agents/+/detections'], { person_detected: true });
        await agent.declareContract({ publishes: ['x/y'], produces_schema: { confidence: 'float' } });
      }
      export async function handle_task(agent: Agent, payload: { text: string }) {
        agent.publish_detection({ label: 'person' }); agent.publishResult({ ok: true });
        agent.publish_world_state('presence', { zone: 'kitchen' }); agent.publishWorldState('k', 1, false);
        const presence = await agent.read_world_state<{ zone: string }>('presence-agent', 'presence');
        const byTopic = await agent.readWorldState('agents/presence-agent/data/presence', 2);
        const [a, b] = await agent.send_to_many([['weather-agent', { city: 'Athens' }], { name: 'news-agent', payload: payload.text }]);
        const d = await agent.delegate<{ n: number }>('doubler', { n: 1 }, 30);
        const nodes: NodeSummary[] = await agent.nodes();
        const caps: CapabilityInfo[] = await agent.capabilities('weather');
        agent.notify_user('hello'); agent.notifyUser('hi', { level: 'info' });
        return { zone: presence?.zone, byTopic, a, b, n: d.n, id: agent.actor_id, nodes: nodes.map((x) => x.online), running: caps.filter((c) => c.running), next: await agent.mqtt_get('x', 1) };
      }
    `);
    expect(errors).toEqual([]);
  });

  it("type-check the original's LLM shims and StreamWindow statistics, with the samples still an array", () => {
    const errors = typeErrors(`
      export async function process(agent: Agent) {
        const w: StreamWindow = await agent.window('sensors/temp', 600);
        const samples: WindowSample[] = w; // existing agents: the samples, as before
        for (const s of w.values()) s.timestamp.toFixed();
        const temps: number[] = w.values('celsius');
        const avg: number | null = w.mean('celsius'); const lo = w.min(); const hi = w.max('celsius');
        const flags: boolean[] = [w.rising('celsius', 3), w.falling(), w.stable('celsius', 0.2), w.absentFor(60), w.absent_for(60)];
        const n: number = w.count() + w.eventCount('motion', true, 30) + w.event_count();
        agent.state.last = { avg, lo, hi, flags, n, temps, at: w.latest()?._ts, topic: w.topic, secs: w.seconds, len: samples.length + w.samples.length };
        await agent.window('sensors/temp');
      }
      export async function handle_task(agent: Agent, payload: { text: string }) {
        const a: string = await agent.chat(payload.text);
        const b: string = await agent.chat([{ role: 'user', content: payload.text }], 'Be brief.', 20);
        const c: string = await agent.complete([{ role: 'user', content: 'x' }], { system: 'y' });
        const d: string = await agent.ask_llm('Q?', 'system', 5) + await agent.askLlm('Q?');
        const e: string = await agent.llm.converse(payload.text, 'You are helpful.');
        const f: string = await agent.llm.chat('x', 'a system string') + await agent.llm.complete([{ role: 'user', content: 'x' }], 'sys');
        return { a, b, c, d, e, f };
      }
    `);
    expect(errors).toEqual([]);
  });

  it('catch misuse of the API', () => {
    const errors = typeErrors(`
      export async function handleTask(agent: Agent) {
        agent.publsh('t', 1);
        agent.alert('x', 'apocalyptic');
        await agent.sendTo(42, {});
        const env: number = agent.env.X;
        require('fs'); process.exit(1); await fetch('http://x');
        await agent.ask_llm(42); (await agent.window('t', 60)).rising(3);
      }
    `);
    const text = errors.join('\n');
    expect(text).toMatch(/publsh/);
    expect(text).toMatch(/apocalyptic/);
    expect(text).toMatch(/number' is not assignable to parameter of type 'string/);
    expect(text).toMatch(/Cannot find name 'require'/);
    expect(text).toMatch(/Cannot find name 'process'/);
    expect(text).toMatch(/Cannot find name 'fetch'/);
    expect(text).toMatch(/Argument of type 'number' is not assignable to parameter of type 'string'[\s\S]*Argument of type 'number' is not assignable to parameter of type 'string'/);
  });
});
