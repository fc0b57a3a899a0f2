/**
 * What the LLM is taught about DynamicAgents, derived from src/shared/agent-api.ts (embedded as
 * AGENT_API_SOURCE) so that the prompt, the editor's types and the sandbox never disagree.
 * - `agentApiReference()`: the declarations themselves (for the agent writer, which writes code);
 * - `agentApiSummary()`: one line per member of `Agent` (for main's chat prompt, kept short);
 * - `spawnPromptSection()`: how to ask for an agent with a `<spawn>` block.
 */
import { AGENT_API_SOURCE } from './agent-api-source.js';

/** The declarations without the file header, lint comments and `export` keywords. */
export function agentApiReference(source: string = AGENT_API_SOURCE): string {
  const body = source.replace(/^\/\*\*[\s\S]*?\*\/\s*/, '');
  return body
    .split('\n')
    .filter((l) => !/^\s*\/\/\s*eslint-disable/.test(l))
    .map((l) => l.replace(/^export /, ''))
    .join('\n')
    .trim();
}

/** `name(args): Result — first sentence of its doc`, one per member of `interface Agent`. */
export function agentApiSummary(source: string = AGENT_API_SOURCE): string {
  const block = /export interface Agent \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
  const lines: string[] = [];
  let doc: string[] = [];
  let inDoc = false;
  for (const raw of block.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('/**')) {
      inDoc = !line.endsWith('*/');
      doc = [line.replace(/^\/\*\*\s*/, '').replace(/\s*\*\/$/, '')];
      continue;
    }
    if (inDoc) {
      if (line.startsWith('*/')) inDoc = false;
      else if (!line.startsWith('* @')) doc.push(line.replace(/^\*\s*/, '').replace(/\s*\*\/$/, ''));
      if (line.endsWith('*/')) inDoc = false;
      continue;
    }
    if (!line || line.startsWith('//')) continue;
    const text = doc.filter(Boolean).join(' ');
    const sentence = /^.*?\.(?=\s|$)/.exec(text.replace(/\be\.g\./g, 'e\u2024g\u2024'))?.[0].replace(/\u2024/g, '.') ?? text;
    lines.push(`- agent.${line.replace(/^readonly /, '').replace(/;$/, '')}${sentence ? ` — ${sentence}` : ''}`);
    doc = [];
  }
  return lines.join('\n');
}

export const MODULE_SHAPE = `export async function setup(agent) {}                // once at start (and after a restart or hot-swap): subscribe here
export async function process(agent) {}              // optional: called in a loop, agent.interval seconds apart
export async function handleTask(agent, payload) {}  // a task sent to the agent: return the (JSON) result
export async function cleanup(agent) {}              // optional: before stop or hot-swap`;

export const SANDBOX_RULES = `The code runs in an isolated JavaScript engine (ES2023): no require, no Node modules (fs, child_process, net…),
no process, no global fetch, no DOM. Everything goes through the \`agent\` object. Timeouts are in SECONDS.
console.log goes to the agent's log. setTimeout/setInterval exist. agent.state is a JSON object kept across
restarts and hot-swaps. agent.fetch works only when "fetch" is in the capabilities.
The LLM: agent.llm.chat / agent.llm.complete, agent.chat / agent.askLlm (the original's shims, a system string and a
timeout in seconds), agent.llm.converse(message, system) for a conversation that remembers (in agent.state._chat_history);
all billed to the agent within its budget, all awaited. agent.window(topic, seconds) is awaited too: it resolves to the
samples with the statistics as methods — const w = await agent.window('sensors/temp', 600); w.mean('celsius'),
w.rising('celsius', 3), w.absentFor(120), w.eventCount('motion', true) — take it again in process for new samples.
The bus is permissioned: an agent publishes (retained too) in its own namespace agents/{its id or name}/… and on
the topics it declares in "publishes"; it subscribes (agent.subscribe, mqttGet, window) only to what it declares in
"subscribes" — other agents' agents/+/data/#, …/result and …/detections can be declared. It asks other agents with
agent.sendTo only when it names them in "send_to". io/…, nodes/…, system/…, $SYS, agents/by-name/… and other agents'
topics are never allowed; homeassistant/… needs the "home_assistant" capability. Anything else is refused.`;

/** Teaches main's LLM to spawn agents with `<spawn>` blocks. */
export function spawnPromptSection(): string {
  return `You can create agents. To create one, put a block in your reply (it is removed before the user sees the reply):
<spawn>{"name": "kebab-case-name", "type": "dynamic", "description": "what it does, one sentence", "code": "<the module>",
 "capabilities": [], "publishes": [], "subscribes": [], "input_schema": {}, "output_schema": {}, "poll_interval": 30}</spawn>
- type: "dynamic" (JavaScript module, the default), "llm" (give "system_prompt" instead of code: an agent that answers
  with its own LLM persona), "ha_actuator" (Home Assistant service calls on MQTT triggers), "manual" (code a person maintains).
- Optional: "replace": true to replace an existing agent of that name, "install": ["npm-package"] for packages the code needs.
- "code" is a JSON string (escape newlines as \\n). The module exports:
${MODULE_SHAPE}
- The agent object:
${agentApiSummary()}
${SANDBOX_RULES}
Only spawn an agent when the user asks for something that should keep running or be reusable; then say in one sentence what it does.`;
}

/** The agent writer's system prompt: it answers with exactly one `<spawn>` block. */
export function agentWriterSystemPrompt(): string {
  return `You write agents for Wactorz, an actor-model hub where every agent is an actor with a mailbox and MQTT is the bus.
An agent is ONE JavaScript module (ES module syntax) that exports some of:
${MODULE_SHAPE}
At least one of setup, handleTask and process must be exported.

${SANDBOX_RULES}

The \`agent\` object and the types it uses (TypeScript declarations; write plain JavaScript):
${agentApiReference()}

Answer with exactly one block and nothing else:
<spawn>{"name": "kebab-case-name", "type": "dynamic", "description": "one sentence: what it does",
 "capabilities": ["fetch" only if it calls HTTP APIs], "publishes": [topics it publishes], "subscribes": [topics it reads],
 "send_to": [agents it asks], "input_schema": {...task payload fields...},
 "output_schema": {...result fields...}, "poll_interval": <seconds, only if it exports process>,
 "code": "<the module as a JSON string: newlines escaped as \\n, quotes as \\">"}</spawn>
Keep the code short, robust (validate payloads, catch errors of agent.fetch/agent.sendTo) and commented where it is not obvious.
Subscribe to MQTT topics in setup. Keep counters and anything worth remembering in agent.state.`;
}
