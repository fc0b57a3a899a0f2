/**
 * One parse of agent code with the TypeScript compiler: syntax diagnostics (line/column) and, for
 * TypeScript, the JavaScript the sandbox runs. JavaScript is never rewritten, so the line numbers
 * in an agent's stack traces are the ones in its editor.
 */
import type * as TS from 'typescript';
import type { CodeDiagnostic } from './errors.js';
import { positionMapFrom, type PositionMap } from './source-map.js';
import type { AgentLanguage } from './types.js';
import { typescript } from './typescript-lib.js';

export interface TranspiledAgent {
  /** The JavaScript to run ('' when there are errors). */
  js: string;
  diagnostics: CodeDiagnostic[];
  /** The parsed source, for further static checks. */
  source: TS.SourceFile;
  /** TypeScript only: positions in `js` → positions in the source. */
  map?: PositionMap;
}

export function transpileAgentCode(code: string, language: AgentLanguage): TranspiledAgent {
  const ts = typescript();
  const fileName = language === 'typescript' ? 'agent.ts' : 'agent.js';
  const out = ts.transpileModule(code, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      allowJs: true,
      isolatedModules: true,
      sourceMap: language === 'typescript',
    },
  });
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.ES2022, true, language === 'typescript' ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const diagnostics = (out.diagnostics ?? []).map((d) => fromTsDiagnostic(ts, d, source));
  const failed = diagnostics.some((d) => d.severity === 'error');
  if (failed) return { js: '', diagnostics, source };
  if (language !== 'typescript') return { js: code, diagnostics, source };
  const js = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  return { js, diagnostics, source, ...(out.sourceMapText ? { map: positionMapFrom(out.sourceMapText) } : {}) };
}

function fromTsDiagnostic(ts: typeof TS, d: TS.Diagnostic, source: TS.SourceFile): CodeDiagnostic {
  const file = d.file ?? source;
  const pos = d.start !== undefined ? file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
  return {
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    line: pos.line + 1,
    column: pos.character + 1,
    severity: d.category === ts.DiagnosticCategory.Error ? 'error' : 'warning',
  };
}
