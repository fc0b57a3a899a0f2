/**
 * The static check every deploy goes through (REST, editor, `<spawn>` blocks, the agent writer):
 * the sandbox's validation (syntax with line/column, the hooks it exports, imports it cannot
 * satisfy), plus — for TypeScript — type errors against the agent API (src/shared/agent-api.ts,
 * the same declarations the editor shows), so a typo such as `agent.publsh` is refused with its
 * place before anything runs. JavaScript is not type-checked: it has no types to check.
 */
import type * as TS from 'typescript';
import { agentApiAmbientDts } from '../../../shared/agent-api-ambient.js';
import { validateAgentCode, type AgentExports, type AgentLanguage, type CodeDiagnostic } from './sandbox/index.js';
import { typescript } from './sandbox/typescript-lib.js';
import { AGENT_API_SOURCE } from './prompt/agent-api-source.js';

export interface CodeCheck {
  ok: boolean;
  /** Errors first, then warnings; 1-based line/column in the code as written. */
  diagnostics: CodeDiagnostic[];
  exports: AgentExports;
}

export function checkAgentCode(code: string, language: AgentLanguage = 'javascript', opts: { modules?: readonly string[] } = {}): CodeCheck {
  const v = validateAgentCode(code, language, opts.modules ? { modules: opts.modules } : {});
  const diagnostics = [...v.diagnostics];
  if (v.ok && language === 'typescript') diagnostics.push(...typeCheckAgent(code));
  diagnostics.sort((a, b) => (a.severity === b.severity ? a.line - b.line || a.column - b.column : a.severity === 'error' ? -1 : 1));
  return { ok: !diagnostics.some((d) => d.severity === 'error'), diagnostics, exports: v.exports };
}

/** One line per diagnostic, for error messages and the LLM's repair round. */
export function describeDiagnostics(diagnostics: readonly CodeDiagnostic[], limit = 10): string {
  const shown = diagnostics.slice(0, limit).map((d) => `line ${d.line}, column ${d.column}: ${d.message}`);
  if (diagnostics.length > limit) shown.push(`… and ${diagnostics.length - limit} more`);
  return shown.join('\n');
}

const AGENT_FILE = 'agent.ts';
const API_FILE = 'wactorz-agent-api.d.ts';
/** Library files parsed once per process (lib.es2023 is ~1 MB of declarations). */
const libCache = new Map<string, TS.SourceFile>();
let ambient: string | undefined;

/**
 * Type errors of a TypeScript agent against the agent API and ES2023 (no DOM, no Node). Lenient on
 * purpose (no implicit-any errors): an unannotated `payload` is fine; a wrong member is not.
 */
export function typeCheckAgent(code: string): CodeDiagnostic[] {
  const ts = typescript();
  ambient ??= agentApiAmbientDts(AGENT_API_SOURCE);
  const options: TS.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noImplicitAny: false,
    noEmit: true,
    lib: ['lib.es2023.d.ts'],
    types: [],
    skipLibCheck: true,
  };
  const files: Record<string, string> = { [AGENT_FILE]: code, [API_FILE]: ambient };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => files[f] ?? readFile(f);
  host.fileExists = (f) => f in files || fileExists(f);
  host.getSourceFile = (f, lang) => {
    if (f in files) return ts.createSourceFile(f, files[f]!, lang, true);
    let sf = libCache.get(f);
    if (!sf) {
      sf = getSourceFile(f, lang);
      if (sf) libCache.set(f, sf);
    }
    return sf;
  };
  const program = ts.createProgram([AGENT_FILE, API_FILE], options, host);
  const source = program.getSourceFile(AGENT_FILE);
  if (!source) return [];
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => {
    const pos = d.start !== undefined ? source.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
    return {
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      line: pos.line + 1,
      column: pos.character + 1,
      severity: d.category === ts.DiagnosticCategory.Error ? 'error' : 'warning',
    } satisfies CodeDiagnostic;
  });
}
