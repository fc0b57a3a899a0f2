/** The Monaco editor (or diff editor) hosting the open agent's model. */
import { useEffect, useRef } from 'react';
import { useEditorStore } from '../../stores/editor-store.js';
import { deploy, modelOf } from './editor-controller.js';
import { monaco } from './monaco-setup.js';

let activeEditor: monaco.editor.ICodeEditor | null = null;
export const getActiveEditor = () => activeEditor;

const OPTIONS: monaco.editor.IStandaloneEditorConstructionOptions = {
  automaticLayout: true,
  minimap: { enabled: false },
  fontSize: 13,
  tabSize: 2,
  scrollBeyondLastLine: false,
  fixedOverflowWidgets: true,
  renderLineHighlight: 'all',
  'semanticHighlighting.enabled': true,
};

export function CodeEditor({ name }: { name: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const model = modelOf(name);
    if (!host.current || !model) return;
    const editor = monaco.editor.create(host.current, { ...OPTIONS, model });
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => void deploy());
    activeEditor = editor;
    editor.focus();
    return () => {
      if (activeEditor === editor) activeEditor = null;
      editor.dispose();
    };
  }, [name]);
  return <div className="monaco-host" ref={host} data-testid="monaco-editor" />;
}

export function DiffEditor({ name, original }: { name: string; original: string }) {
  const host = useRef<HTMLDivElement>(null);
  const language = useEditorStore((s) => s.open?.language ?? 'javascript');
  useEffect(() => {
    const modified = modelOf(name);
    if (!host.current || !modified) return;
    const orig = monaco.editor.createModel(original, language);
    const diff = monaco.editor.createDiffEditor(host.current, { automaticLayout: true, originalEditable: false, renderSideBySide: true, minimap: { enabled: false }, fontSize: 13 });
    diff.setModel({ original: orig, modified });
    const editor = diff.getModifiedEditor();
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => void deploy());
    activeEditor = editor;
    return () => {
      if (activeEditor === editor) activeEditor = null;
      diff.dispose();
      orig.dispose();
    };
  }, [name, original, language]);
  return <div className="monaco-host" ref={host} data-testid="diff-editor" />;
}
