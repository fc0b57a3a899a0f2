/**
 * The code editor's state: which agent is open, its stored versions, the deploy in flight and its
 * outcome, the problems Monaco and the hub report, and which version is shown in the diff.
 * Monaco's models live outside the store (views/editor/monaco-*), keyed by agent name.
 */
import { create } from 'zustand';
import type { AgentCodeVersion, CodeDiagnostic } from '../../../shared/rest.js';

export type Language = 'javascript' | 'typescript';

export interface OpenAgent {
  name: string;
  language: Language;
  /** The deployed version the editor started from. */
  version: number;
  versions: AgentCodeVersion[];
  /** Code of the deployed version (to detect unsaved edits). */
  deployedCode: string;
  /** A new agent not yet created on the hub. */
  isNew: boolean;
}

export interface Problem extends CodeDiagnostic {
  source: 'editor' | 'hub';
  /** TypeScript's diagnostic code when from the editor (1xxx = syntax). */
  code?: string;
}

export type DeployState =
  | { phase: 'idle' }
  | { phase: 'deploying' }
  | { phase: 'ok'; message: string; version?: number }
  | { phase: 'refused'; message: string; diagnostics: CodeDiagnostic[] }
  | { phase: 'error'; message: string };

interface EditorState {
  open: OpenAgent | null;
  loading: boolean;
  loadError: string | null;
  dirty: boolean;
  problems: Problem[];
  deploy: DeployState;
  /** Version shown in the diff view against the editor's text; null → no diff. */
  diffVersion: number | null;
  diffOriginal: string | null;
  diffError: string | null;
  setLoading(v: boolean, error?: string | null): void;
  setOpen(a: OpenAgent | null): void;
  setDirty(v: boolean): void;
  setEditorProblems(p: Problem[]): void;
  setHubProblems(p: Problem[]): void;
  setDeploy(d: DeployState): void;
  showDiff(version: number | null, original?: string | null, error?: string | null): void;
}

export const useEditorStore = create<EditorState>((set) => ({
  open: null,
  loading: false,
  loadError: null,
  dirty: false,
  problems: [],
  deploy: { phase: 'idle' },
  diffVersion: null,
  diffOriginal: null,
  diffError: null,
  setLoading(loading, error = null) {
    set({ loading, loadError: error });
  },
  setOpen(open) {
    set({ open, dirty: false, problems: [], deploy: { phase: 'idle' }, diffVersion: null, diffOriginal: null, diffError: null, loadError: null });
  },
  setDirty(dirty) {
    set((st) => (st.dirty === dirty ? st : { dirty }));
  },
  setEditorProblems(p) {
    set((st) => ({ problems: [...st.problems.filter((x) => x.source === 'hub'), ...p] }));
  },
  setHubProblems(p) {
    set((st) => ({ problems: [...p, ...st.problems.filter((x) => x.source === 'editor')] }));
  },
  setDeploy(deploy) {
    set({ deploy });
  },
  showDiff(diffVersion, diffOriginal = null, diffError = null) {
    set({ diffVersion, diffOriginal, diffError });
  },
}));

/** TypeScript reports syntax errors with codes 1000–1999; those would fail on the hub too. */
export function isSyntaxProblem(p: Problem): boolean {
  if (p.severity !== 'error') return false;
  if (p.source === 'hub') return true;
  const n = Number(p.code);
  return Number.isFinite(n) && n >= 1000 && n < 2000;
}
