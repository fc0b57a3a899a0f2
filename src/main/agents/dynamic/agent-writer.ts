/**
 * The agent writer: "create an agent that …" → the LLM writes the module (taught the agent API from
 * src/shared/agent-api.ts) as one `<spawn>` block → parsed, checked (syntax, exports) and spawned
 * (which runs its setup). Whatever fails along the way is given back to the LLM for a repair round,
 * at most `maxRepairs` times (default 2), then the user gets a clear failure. What is stored is the
 * code that finally passed — the repaired one.
 */
import type { LlmProvider, ChatMessage } from '../../llm/provider.js';
import { toError } from '../../core/errors.js';
import { extractSpawnBlocks } from './spawn-blocks.js';
import type { SpawnSpec } from './spawn-spec.js';
import { checkAgentCode, describeDiagnostics } from './code-check.js';
import type { SpawnReport } from './dynamic-agent-service.js';
import { agentWriterSystemPrompt } from './prompt/agent-api-prompt.js';

export interface AgentWriterDeps {
  /** Billed by the caller (main bills it to itself). */
  llm: LlmProvider;
  /** Spawns a checked spec (the DynamicAgent service's spawnFromSpec). */
  spawn: (spec: SpawnSpec) => Promise<SpawnReport>;
  /** Names in use, so the LLM picks a free one. */
  takenNames?: () => string[];
  /** Repair rounds after the first answer (default 2). */
  maxRepairs?: number;
  /** Bound on each LLM call. */
  timeoutMs?: number;
}

export interface WriteAgentResult {
  ok: boolean;
  /** What to tell the user. */
  reply: string;
  /** LLM calls made (1 + repair rounds). */
  attempts: number;
  /** The problem of each refused answer, in order. */
  problems: string[];
  spec?: SpawnSpec;
  report?: SpawnReport;
}

export async function writeAgent(request: string, deps: AgentWriterDeps): Promise<WriteAgentResult> {
  const maxRepairs = deps.maxRepairs ?? 2;
  const taken = deps.takenNames?.() ?? [];
  const messages: ChatMessage[] = [
    {
      role: 'user',
      content: `Write an agent for this request:\n${request.trim()}${taken.length ? `\n\nNames already taken (choose another): ${taken.join(', ')}` : ''}`,
    },
  ];
  const problems: string[] = [];
  for (let attempt = 1; attempt <= maxRepairs + 1; attempt++) {
    let answer: string;
    try {
      answer = (await deps.llm.complete(messages, agentWriterSystemPrompt(), { maxTokens: 4096, temperature: 0.2, ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}) })).text;
    } catch (e) {
      return { ok: false, reply: `I could not write the agent: the LLM call failed (${toError(e).message}).`, attempts: attempt, problems };
    }
    const outcome = await tryAnswer(answer, deps);
    if (outcome.ok) {
      return { ok: true, reply: successReply(outcome.spec, outcome.report), attempts: attempt, problems, spec: outcome.spec, report: outcome.report };
    }
    problems.push(outcome.problem);
    messages.push(
      { role: 'assistant', content: answer },
      { role: 'user', content: `That agent was refused:\n${outcome.problem}\n\nFix it and answer again with one corrected <spawn> block only.` },
    );
  }
  return {
    ok: false,
    reply: `I could not write a working agent for that: after ${maxRepairs + 1} attempts the code was still refused. The last problem:\n${problems.at(-1)}`,
    attempts: maxRepairs + 1,
    problems,
  };
}

type Outcome = { ok: true; spec: SpawnSpec; report: SpawnReport } | { ok: false; problem: string };

async function tryAnswer(answer: string, deps: AgentWriterDeps): Promise<Outcome> {
  const { blocks } = extractSpawnBlocks(answer);
  if (blocks.length === 0) return { ok: false, problem: 'The answer had no <spawn>{…}</spawn> block.' };
  const block = blocks[0]!;
  if (!block.ok) return { ok: false, problem: block.error };
  const spec = block.spec;
  if (spec.code !== undefined && (spec.type === 'dynamic' || spec.type === 'manual')) {
    const check = checkAgentCode(spec.code, spec.language ?? 'javascript');
    if (!check.ok) {
      return { ok: false, problem: `The code does not pass the check:\n${describeDiagnostics(check.diagnostics.filter((d) => d.severity === 'error'))}` };
    }
  }
  const report = await deps.spawn(spec);
  if (!report.ok) return { ok: false, problem: report.message };
  return { ok: true, spec, report };
}

function successReply(spec: SpawnSpec, report: SpawnReport): string {
  const lines = [report.message];
  if (spec.type === 'dynamic' || spec.type === 'manual') {
    const input = spec.input_schema && typeof spec.input_schema === 'object' && Object.keys(spec.input_schema).length ? ` ${JSON.stringify(spec.input_schema)}` : ' {…}';
    if (/\bhandle_?task\b|handleTask/.test(spec.code ?? '')) lines.push(`Send it a task with @${spec.name}${input}.`);
    if (spec.poll_interval) lines.push(`It runs every ${spec.poll_interval} s.`);
  }
  return lines.join(' ');
}
