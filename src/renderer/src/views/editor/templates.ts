/** Starting points for a new DynamicAgent, in TypeScript and in JavaScript (JSDoc types). */
import type { Language } from '../../stores/editor-store.js';

export interface AgentTemplate {
  id: string;
  label: string;
  description: string;
  ts: string;
  js: string;
  /** What it reads beyond its own namespace: declared when it is created (the hub refuses anything else). */
  subscribes?: string[];
}

export const TEMPLATES: AgentTemplate[] = [
  {
    id: 'task',
    label: 'Task handler',
    description: 'Answers each task it receives (chat: @name {json}).',
    ts: `// A task handler: every TASK's payload arrives in handleTask, its return value is the RESULT.

export async function setup(agent: Agent): Promise<void> {
  agent.log('ready');
}

export async function handleTask(agent: Agent, payload: unknown): Promise<unknown> {
  const count = Number(agent.state.count ?? 0) + 1;
  agent.state.count = count; // kept across restarts and hot-swaps
  return { echo: payload, count };
}
`,
    js: `// A task handler: every TASK's payload arrives in handleTask, its return value is the RESULT.

/** @param {Agent} agent */
export async function setup(agent) {
  agent.log('ready');
}

/** @param {Agent} agent @param {unknown} payload */
export async function handleTask(agent, payload) {
  const count = Number(agent.state.count ?? 0) + 1;
  agent.state.count = count; // kept across restarts and hot-swaps
  return { echo: payload, count };
}
`,
  },
  {
    id: 'timer',
    label: 'Periodic publisher',
    description: 'Publishes on a topic every few seconds (process loop).',
    ts: `// Runs process() every agent.interval seconds and publishes a reading.

export async function setup(agent: Agent): Promise<void> {
  agent.interval = 30;
}

export async function process(agent: Agent): Promise<void> {
  // Its own namespace needs no declaring; other topics go in the agent's "publishes".
  agent.publish(\`agents/\${agent.name}/data/tick\`, { at: Date.now() / 1000 });
}

export async function cleanup(agent: Agent): Promise<void> {
  agent.log('stopping');
}
`,
    js: `// Runs process() every agent.interval seconds and publishes a reading.

/** @param {Agent} agent */
export async function setup(agent) {
  agent.interval = 30;
}

/** @param {Agent} agent */
export async function process(agent) {
  // Its own namespace needs no declaring; other topics go in the agent's "publishes".
  agent.publish(\`agents/\${agent.name}/data/tick\`, { at: Date.now() / 1000 });
}

/** @param {Agent} agent */
export async function cleanup(agent) {
  agent.log('stopping');
}
`,
  },
  {
    id: 'threshold',
    label: 'Threshold alert',
    description: 'Watches a sensor topic and raises an alert above a limit.',
    subscribes: ['sensors/+/temperature'],
    ts: `// Subscribes to a sensor topic and raises an alert when the value crosses a limit.

const TOPIC = 'sensors/+/temperature';
const LIMIT = 28;

export async function setup(agent: Agent): Promise<void> {
  agent.subscribe(TOPIC, (payload: unknown, topic: string) => {
    const value = typeof payload === 'number' ? payload : Number((payload as { value?: unknown })?.value);
    if (Number.isFinite(value) && value > LIMIT) {
      agent.alert(\`\${topic} is \${value} (limit \${LIMIT})\`, 'warning');
    }
  });
}
`,
    js: `// Subscribes to a sensor topic and raises an alert when the value crosses a limit.

const TOPIC = 'sensors/+/temperature';
const LIMIT = 28;

/** @param {Agent} agent */
export async function setup(agent) {
  agent.subscribe(TOPIC, (payload, topic) => {
    const value = typeof payload === 'number' ? payload : Number(payload?.value);
    if (Number.isFinite(value) && value > LIMIT) {
      agent.alert(\`\${topic} is \${value} (limit \${LIMIT})\`, 'warning');
    }
  });
}
`,
  },
  {
    id: 'llm',
    label: 'LLM helper',
    description: 'Answers each task with the hub’s LLM.',
    ts: `// Turns each task into a question for the hub's LLM.

export async function handleTask(agent: Agent, payload: unknown): Promise<unknown> {
  const question = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const answer = await agent.llm.complete(question, 'Answer briefly and precisely.');
  return { answer };
}
`,
    js: `// Turns each task into a question for the hub's LLM.

/** @param {Agent} agent @param {unknown} payload */
export async function handleTask(agent, payload) {
  const question = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const answer = await agent.llm.complete(question, 'Answer briefly and precisely.');
  return { answer };
}
`,
  },
];

export function templateCode(id: string, language: Language): string {
  const t = TEMPLATES.find((x) => x.id === id) ?? TEMPLATES[0]!;
  return language === 'typescript' ? t.ts : t.js;
}
