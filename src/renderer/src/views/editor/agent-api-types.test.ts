import { describe, expect, it } from 'vitest';
import { agentAlias, agentApiDeclarations, globaliseTypesModule } from './agent-api-types.js';

describe('globaliseTypesModule', () => {
  it('turns a types-only module into global declarations', () => {
    const src = [
      "import type { ActorState } from './actor-state.js';",
      '/** the agent */',
      'export interface AgentApi { name: string; log(m: string): void }',
      "export type AlertSeverity = 'warning' | 'critical';",
      'export type { AgentApi as Api };',
    ].join('\n');
    const out = globaliseTypesModule(src)!;
    expect(out).toContain('interface AgentApi { name: string; log(m: string): void }');
    expect(out).toContain("type AlertSeverity = 'warning' | 'critical';");
    expect(out).not.toMatch(/\bexport\b/);
    expect(out).not.toMatch(/\bimport\b/);
  });

  it('refuses a module with runtime code', () => {
    expect(globaliseTypesModule('export const x = 1;\nexport interface A {}')).toBeNull();
    expect(globaliseTypesModule('export function f() {}')).toBeNull();
  });
});

describe('agentAlias', () => {
  it('aliases the API interface as Agent for the templates', () => {
    expect(agentAlias('interface AgentApi {}')).toContain('type Agent = AgentApi;');
    expect(agentAlias('interface DynamicAgentApi {}')).toContain('type Agent = DynamicAgentApi;');
    expect(agentAlias('interface Agent {}')).toBe('');
  });
});

describe('agentApiDeclarations', () => {
  it('always yields declarations that define the Agent type', () => {
    const d = agentApiDeclarations();
    expect(['shared', 'fallback']).toContain(d.source);
    expect(d.text).toMatch(/\btype Agent = \w+;|\binterface Agent\b/);
    expect(d.text).toMatch(/handleTask|sendTo|publish/);
  });
});
