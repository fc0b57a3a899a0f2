/**
 * Typed failures of sandboxed code. A SandboxError is a core TaskError, so when the DynamicAgent's
 * handleTask throws it the actor answers with an ERROR of the same `kind` — no mapping needed.
 */
import { TaskError } from '../../../core/errors.js';

export type SandboxErrorKind =
  /** The call ran past its time limit (it was interrupted; the agent lives on unless `fatal`). */
  | 'timeout'
  /** The agent's engine hit its memory cap: the agent is down (fatal). */
  | 'out_of_memory'
  /** The agent's code threw (not fatal), or its engine died (fatal). */
  | 'crash'
  /** The code does not parse, lacks the required exports, or fails to load. */
  | 'bad_code'
  /** The agent was terminated (or is being replaced) before the call could run. */
  | 'stopped';

export interface CodeDiagnostic {
  message: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  severity: 'error' | 'warning';
}

export interface SandboxErrorDetail {
  agent: string;
  /** The call that failed: load, setup, handleTask, process, cleanup, callback, timer. */
  phase: string;
  /** The agent is down (needs restart) — as opposed to one failed call. */
  fatal: boolean;
  /** The guest's stack when the guest threw (`agent.js:L:C`, or `agent.ts:L:C` of the TypeScript source). */
  stack?: string;
  diagnostics?: CodeDiagnostic[];
}

export class SandboxError extends TaskError {
  override name = 'SandboxError';
  declare readonly kind: SandboxErrorKind;
  declare readonly detail: SandboxErrorDetail;

  constructor(kind: SandboxErrorKind, message: string, detail: SandboxErrorDetail) {
    super(message, kind, detail);
  }

  get fatal(): boolean {
    return this.detail.fatal;
  }

  get diagnostics(): CodeDiagnostic[] {
    return this.detail.diagnostics ?? [];
  }
}

/** Formats diagnostics as `line:col message` lines for an error message. */
export function formatDiagnostics(diagnostics: readonly CodeDiagnostic[]): string {
  return diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ');
}
