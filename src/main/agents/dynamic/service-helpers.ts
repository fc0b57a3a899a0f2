/** Small pure helpers of the DynamicAgent service. */
import { toError } from '../../core/errors.js';
import { SandboxError, type CodeDiagnostic } from './sandbox/index.js';
import { DynamicAgentError } from './errors.js';

/** `@scope/pkg@^1.2` → `@scope/pkg`, `pkg@2` → `pkg`: what the code imports. */
export function packageName(spec: string): string {
  return /^(@[^/@]+\/[^@]+|[^@]+)/.exec(spec.trim())?.[1] ?? spec;
}

export function isCodeKind(kind: string): boolean {
  return kind === 'dynamic' || kind === 'manual' || kind === 'catalog';
}

/** A SandboxError from loading/setup as a bad_code refusal with diagnostics (line/column) when known. */
export function refusal(e: unknown, what: string): DynamicAgentError {
  if (e instanceof DynamicAgentError) return e;
  if (!(e instanceof SandboxError)) return new DynamicAgentError('bad_code', `${what}: ${toError(e).message}`);
  const diagnostics = e.diagnostics.length ? e.diagnostics : diagnosticFromStack(e);
  const message = e.message.startsWith('hot-swap refused') ? e.message : `${what}: ${e.message}`;
  return new DynamicAgentError('bad_code', message, { kind: e.kind, phase: e.detail.phase, ...(diagnostics.length ? { diagnostics } : {}) });
}

/** `(agent.js:3:11)` in a guest error → a diagnostic at that place. */
function diagnosticFromStack(e: SandboxError): CodeDiagnostic[] {
  const m = /agent\.(?:js|ts):(\d+):(\d+)/.exec(`${e.message}\n${e.detail.stack ?? ''}`);
  if (!m) return [];
  return [{ message: e.message.replace(/\s*\(agent\.(?:js|ts):\d+:\d+\)\s*$/, ''), line: Number(m[1]), column: Number(m[2]), severity: 'error' }];
}

export function omitKeys(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** "Greets people" → "greets people." (a description as the end of a sentence). */
export function lowerFirst(s: string): string {
  return s ? `${s[0]!.toLowerCase()}${s.slice(1)}${/[.!?]$/.test(s) ? '' : '.'}` : '';
}
