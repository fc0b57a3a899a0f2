/**
 * Monaco, bundled (no CDN): the editor core, its features, TypeScript/JavaScript with their
 * language service in a web worker, the agent API's types, and a theme that follows the OS.
 * Imported only by the editor view, so the rest of the dashboard loads without it.
 */
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/typescript/register';
import 'monaco-editor/languages/definitions/javascript/register';
import {
  getJavaScriptWorker,
  getTypeScriptWorker,
  javascriptDefaults,
  ModuleKind,
  ModuleResolutionKind,
  ScriptTarget,
  typescriptDefaults,
} from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/language/typescript/ts.worker?worker';
import { AGENT_API_DTS } from './agent-api-types.js';

(globalThis as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    return label === 'typescript' || label === 'javascript' ? new TsWorker() : new EditorWorker();
  },
};

const compilerOptions = {
  target: ScriptTarget.ES2020,
  module: ModuleKind.ESNext,
  moduleResolution: ModuleResolutionKind.NodeJs,
  allowNonTsExtensions: true,
  allowJs: true,
  checkJs: true,
  strict: true,
  noImplicitAny: false,
  noEmit: true,
  // The agent runs in a sandbox, not a browser: no DOM (and no global fetch) in completion.
  lib: ['es2023'],
};

typescriptDefaults.setCompilerOptions(compilerOptions);
javascriptDefaults.setCompilerOptions(compilerOptions);
const diagnostics = { noSemanticValidation: false, noSyntaxValidation: false };
typescriptDefaults.setDiagnosticsOptions(diagnostics);
javascriptDefaults.setDiagnosticsOptions(diagnostics);

const API_URI = 'file:///wactorz/agent-api.d.ts';
typescriptDefaults.addExtraLib(AGENT_API_DTS, API_URI);
javascriptDefaults.addExtraLib(AGENT_API_DTS, API_URI);

const dark = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
const applyTheme = () => monaco.editor.setTheme(dark?.matches ? 'vs-dark' : 'vs');
applyTheme();
dark?.addEventListener('change', applyTheme);

/** Syntax errors of a model, straight from the language service (markers lag behind typing). */
export async function syntaxDiagnostics(model: monaco.editor.ITextModel): Promise<{ message: string; line: number; column: number }[]> {
  const getWorker = model.getLanguageId() === 'typescript' ? getTypeScriptWorker : getJavaScriptWorker;
  const worker = await (await getWorker())(model.uri);
  const diags = await worker.getSyntacticDiagnostics(model.uri.toString());
  return diags.map((d) => {
    const pos = model.getPositionAt(d.start ?? 0);
    const text = typeof d.messageText === 'string' ? d.messageText : d.messageText.messageText;
    return { message: text, line: pos.lineNumber, column: pos.column };
  });
}

export { monaco };
