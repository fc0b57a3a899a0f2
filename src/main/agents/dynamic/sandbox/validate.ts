/**
 * Static checks of an agent module before it is stored or deployed (REST, editor, LLM repair
 * loop): syntax errors with line/column, the exports the hub calls, imports the sandbox cannot
 * satisfy, and the usual LLM slips (CommonJS exports, functions declared but not exported).
 * TypeScript is transpiled here too, so one parse gives both the diagnostics and the code to run.
 */
import type * as TS from 'typescript';
import type { CodeDiagnostic } from './errors.js';
import type { AgentExports, AgentLanguage } from './types.js';
import { transpileAgentCode } from './transpile.js';
import { typescript } from './typescript-lib.js';

export interface CodeValidation {
  ok: boolean;
  diagnostics: CodeDiagnostic[];
  /** What the module exports, as far as can be seen statically. */
  exports: AgentExports;
  /** Module specifiers it imports (statically). */
  imports: string[];
  /** The JavaScript the sandbox runs (TypeScript transpiled; JavaScript unchanged). Empty when not ok. */
  js: string;
}

export interface ValidateOptions {
  /** Specifiers the hub can provide to this agent (installed packages); every other import is an error. */
  modules?: readonly string[];
}

/** Agent code larger than this is refused (a module, not a bundle). */
export const MAX_CODE_BYTES = 512 * 1024;

const HOOKS = ['setup', 'handleTask', 'handle_task', 'process', 'cleanup'] as const;
type Hook = (typeof HOOKS)[number];

const NODE_BUILTINS = new Set([
  'assert', 'async_hooks', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs',
  'fs/promises', 'http', 'http2', 'https', 'inspector', 'module', 'net', 'os', 'path', 'perf_hooks', 'process',
  'readline', 'stream', 'tls', 'tty', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
]);

export function validateAgentCode(code: string, language: AgentLanguage = 'javascript', opts: ValidateOptions = {}): CodeValidation {
  const noExports: AgentExports = { setup: false, handleTask: false, process: false, cleanup: false };
  if (Buffer.byteLength(code) > MAX_CODE_BYTES) {
    return fail([{ message: `code is larger than ${MAX_CODE_BYTES / 1024} KB`, line: 1, column: 1, severity: 'error' }], noExports);
  }
  const ts = typescript();
  const { js, diagnostics, source } = transpileAgentCode(code, language);
  if (diagnostics.some((d) => d.severity === 'error')) return fail(diagnostics, noExports);

  const found = scanModule(ts, source, opts, diagnostics);
  const exports: AgentExports = {
    setup: found.exported.has('setup'),
    handleTask: found.exported.has('handleTask') || found.exported.has('handle_task'),
    process: found.exported.has('process'),
    cleanup: found.exported.has('cleanup'),
  };
  if (!exports.setup && !exports.handleTask && !exports.process) {
    diagnostics.push({
      message: 'the module must export at least one of `setup`, `handleTask` (or `handle_task`) and `process`, e.g. `export async function handleTask(agent, payload) { … }`',
      line: 1,
      column: 1,
      severity: 'error',
    });
  }
  if (diagnostics.some((d) => d.severity === 'error')) return fail(diagnostics, exports, found.imports);
  return { ok: true, diagnostics, exports, imports: found.imports, js };
}

function fail(diagnostics: CodeDiagnostic[], exports: AgentExports, imports: string[] = []): CodeValidation {
  return { ok: false, diagnostics, exports, imports, js: '' };
}

interface ModuleScan {
  exported: Set<string>;
  imports: string[];
}

/** Walks the top level: exports (declarations, lists, default object), imports, CommonJS, unexported hooks. */
function scanModule(ts: typeof TS, source: TS.SourceFile, opts: ValidateOptions, diagnostics: CodeDiagnostic[]): ModuleScan {
  const exported = new Set<string>();
  const declared = new Map<string, TS.Node>();
  const imports: string[] = [];
  const at = (node: TS.Node, message: string, severity: CodeDiagnostic['severity'] = 'error'): void => {
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    diagnostics.push({ message, line: line + 1, column: character + 1, severity });
  };
  const isExported = (node: TS.Node): boolean =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const checkImport = (node: TS.Node, specifier: string): void => {
    imports.push(specifier);
    const bare = specifier.replace(/^node:/, '');
    if (specifier.startsWith('node:') || NODE_BUILTINS.has(bare)) {
      at(node, `\`${specifier}\` is a Node module: agents have no filesystem, processes or sockets — use the \`agent\` API (agent.fetch, agent.persist, agent.publish…)`);
    } else if (!opts.modules?.includes(specifier)) {
      at(node, `module \`${specifier}\` is not available to this agent (only packages installed for it can be imported)`);
    }
  };

  for (const stmt of source.statements) {
    if (ts.isFunctionDeclaration(stmt) && stmt.name) {
      declared.set(stmt.name.text, stmt);
      if (isExported(stmt)) exported.add(stmt.name.text);
    } else if (ts.isVariableStatement(stmt)) {
      for (const decl of stmt.declarationList.declarations) {
        if (!ts.isIdentifier(decl.name)) continue;
        declared.set(decl.name.text, decl);
        if (isExported(stmt)) exported.add(decl.name.text);
      }
    } else if (ts.isExportDeclaration(stmt)) {
      if (stmt.moduleSpecifier && ts.isStringLiteral(stmt.moduleSpecifier)) checkImport(stmt, stmt.moduleSpecifier.text);
      if (stmt.exportClause && ts.isNamedExports(stmt.exportClause)) {
        for (const el of stmt.exportClause.elements) exported.add(el.name.text);
      }
    } else if (ts.isExportAssignment(stmt) && !stmt.isExportEquals && ts.isObjectLiteralExpression(stmt.expression)) {
      for (const prop of stmt.expression.properties) {
        if (prop.name && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name))) exported.add(prop.name.text);
      }
    } else if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier)) {
      if (!stmt.importClause?.isTypeOnly) checkImport(stmt, stmt.moduleSpecifier.text);
    } else if (ts.isExpressionStatement(stmt) && isCommonJsExport(ts, stmt.expression)) {
      at(stmt, 'CommonJS exports are not supported: write `export async function handleTask(agent, payload) { … }` (ES module syntax)');
    }
  }
  findRequireCalls(ts, source, (node) => at(node, '`require` does not exist in the sandbox: use the `agent` API (agent.fetch, agent.persist, agent.publish…)'));

  for (const hook of HOOKS) {
    const node = declared.get(hook);
    if (node && !exported.has(hook)) at(node, `\`${hook}\` is declared but not exported, so the hub will not call it: write \`export async function ${hook}(…)\``, 'warning');
  }
  return { exported: new Set([...exported].filter((n): n is Hook => (HOOKS as readonly string[]).includes(n))), imports };
}

function isCommonJsExport(ts: typeof TS, expr: TS.Expression): boolean {
  if (!ts.isBinaryExpression(expr) || expr.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const target = expr.left.getText();
  return target === 'module.exports' || target.startsWith('module.exports.') || target.startsWith('exports.');
}

function findRequireCalls(ts: typeof TS, source: TS.SourceFile, report: (node: TS.Node) => void): void {
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') report(node);
    ts.forEachChild(node, visit);
  };
  visit(source);
}
