/**
 * The editor's agent API declarations are valid TypeScript, and every "new agent" template
 * type-checks against them (in TypeScript, and in JavaScript with checkJs as the editor runs it),
 * using the real TypeScript compiler.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { AGENT_API_DTS } from './agent-api-types.js';
import { TEMPLATES } from './templates.js';

function diagnose(files: Record<string, string>): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    lib: ['lib.es2023.d.ts'],
    strict: true,
    noImplicitAny: false,
    allowJs: true,
    checkJs: true,
    noEmit: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => files[f] ?? readFile(f);
  host.fileExists = (f) => f in files || fileExists(f);
  host.getSourceFile = (f, lang, ...rest) => (f in files ? ts.createSourceFile(f, files[f]!, lang, true) : getSourceFile(f, lang, ...rest));
  const program = ts.createProgram(Object.keys(files), options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('agent API declarations', { timeout: 90_000 }, () => {
  it('are global (no exports) and describe the agent object', () => {
    expect(AGENT_API_DTS).toMatch(/^interface Agent\b/m);
    expect(AGENT_API_DTS).not.toMatch(/^export /m);
    expect(diagnose({ '/api.d.ts': AGENT_API_DTS })).toEqual([]);
  });

  it('catch a misuse of the API', () => {
    const errors = diagnose({ '/api.d.ts': AGENT_API_DTS, '/bad.ts': 'export async function setup(agent: Agent) { agent.publsh("x", 1); }' });
    expect(errors.join('\n')).toMatch(/publsh/);
  });

  for (const t of TEMPLATES) {
    it(`template "${t.label}" type-checks in TypeScript and JavaScript`, () => {
      expect(diagnose({ '/api.d.ts': AGENT_API_DTS, '/agent.ts': t.ts })).toEqual([]);
      expect(diagnose({ '/api.d.ts': AGENT_API_DTS, '/agent.js': t.js })).toEqual([]);
    });
  }
});
