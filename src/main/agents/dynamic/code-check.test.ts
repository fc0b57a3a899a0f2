/**
 * The static check before any deploy, and the API text the LLM is taught: both come from
 * src/shared/agent-api.ts (embedded; this test fails when the embedded copy is stale).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkAgentCode } from './code-check.js';
import { AGENT_API_SOURCE } from './prompt/agent-api-source.js';
import { AGENT_API_PATH } from './prompt/sync-agent-api-source.js';
import { agentApiReference, agentApiSummary, agentWriterSystemPrompt, spawnPromptSection } from './prompt/agent-api-prompt.js';

describe('checkAgentCode', () => {
  it('gives line and column of a JavaScript syntax error', () => {
    const r = checkAgentCode('export async function handleTask(agent, payload) {\n  return { a: payload ;\n}\n');
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]).toMatchObject({ line: 2, severity: 'error' });
    expect(r.diagnostics[0]!.column).toBeGreaterThan(1);
  });

  it('type-checks TypeScript against the agent API (a misspelt member is an error at its place)', () => {
    const bad = checkAgentCode("export async function setup(agent: Agent) {\n  agent.state.n ??= 0;\n  agent.publsh('x/y', 1);\n}\n", 'typescript');
    expect(bad.ok).toBe(false);
    expect(bad.diagnostics).toEqual([expect.objectContaining({ line: 3, column: 9, severity: 'error', message: expect.stringMatching(/publsh.*Did you mean 'publish'/) })]);
    const good = checkAgentCode(
      "export async function setup(agent: Agent) {\n  agent.subscribe('a/#', (msg, topic) => { agent.state.last = topic; });\n}\nexport async function handleTask(agent: Agent, payload) {\n  const s: WindowSample[] = await agent.window('a/b', 60);\n  return { n: s.length, p: payload };\n}\n",
      'typescript',
    );
    expect(good).toMatchObject({ ok: true, diagnostics: [], exports: { setup: true, handleTask: true } });
  });

  it('refuses a module without hooks and Node modules', () => {
    expect(checkAgentCode('const x = 1;').diagnostics[0]!.message).toMatch(/must export at least one of/);
    expect(checkAgentCode("import fs from 'node:fs';\nexport async function setup() {}").diagnostics[0]).toMatchObject({ line: 1, message: expect.stringMatching(/Node module/) });
  });
});

describe('the agent API as the LLM is taught it', () => {
  it('is the current src/shared/agent-api.ts (else run prompt/sync-agent-api-source.ts)', () => {
    expect(AGENT_API_SOURCE, 'run: npx tsx src/main/agents/dynamic/prompt/sync-agent-api-source.ts').toBe(readFileSync(AGENT_API_PATH, 'utf8'));
  });

  it('lists every member of Agent in the summary, and the declarations in the writer prompt', () => {
    const members = [...(/export interface Agent \{([\s\S]*?)\n\}/.exec(AGENT_API_SOURCE)![1]!.matchAll(/^ {2}(?:readonly )?(\w+)[(<:]/gm))].map((m) => m[1]);
    expect(members.length).toBeGreaterThan(15);
    const summary = agentApiSummary();
    for (const m of members) expect(summary).toContain(`agent.${m}`);
    expect(spawnPromptSection()).toContain('<spawn>');
    const reference = agentApiReference();
    expect(reference).toMatch(/^interface Agent \{/m);
    expect(reference).not.toMatch(/eslint-disable|^export /m);
    expect(agentWriterSystemPrompt()).toContain(reference);
  });

  it("teaches the original's LLM shims and StreamWindow statistics, both spellings", () => {
    const summary = agentApiSummary();
    for (const m of ['agent.chat(', 'agent.complete(', 'agent.askLlm(', 'agent.window(topic: string, seconds?: number): Promise<StreamWindow>']) expect(summary).toContain(m);
    for (const prompt of [agentWriterSystemPrompt(), spawnPromptSection()]) expect(prompt).toMatch(/agent\.llm\.converse[\s\S]*w\.absentFor\(120\)/);
    const reference = agentApiReference();
    for (const m of ['interface StreamWindow extends Array<WindowSample>', 'converse(message: string', 'ask_llm(prompt: string', 'absent_for(seconds: number)', 'event_count(key?: string']) expect(reference).toContain(m);
  });
});
