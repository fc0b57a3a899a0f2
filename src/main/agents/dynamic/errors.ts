/** Why a DynamicAgent operation was refused; the REST routes turn `kind` into a status code. */
import type { CodeDiagnostic } from './sandbox/index.js';

export type DynamicAgentErrorKind =
  /** The code does not parse, lacks exports, has type errors, or its setup failed (400). */
  | 'bad_code'
  /** A malformed request or spawn spec (400). */
  | 'bad_input'
  /** The name is taken (409). */
  | 'conflict'
  | 'not_found'
  /** A protected core actor (403). */
  | 'protected'
  /** Something the hub lacks (Home Assistant, a remote node) (503). */
  | 'unavailable'
  /** The hub's cap on agents in total is reached (409). */
  | 'too_many_agents'
  /** The asking LLM actor or agent spawned too many agents within a minute (429). */
  | 'rate_limited';

export interface DynamicAgentErrorDetail {
  /** For bad_code: the sandbox's error kind when the code ran (crash, timeout, out_of_memory, bad_code). */
  kind?: string;
  phase?: string;
  diagnostics?: CodeDiagnostic[];
  [key: string]: unknown;
}

export class DynamicAgentError extends Error {
  override name = 'DynamicAgentError';
  constructor(
    readonly kind: DynamicAgentErrorKind,
    message: string,
    readonly detail?: DynamicAgentErrorDetail,
  ) {
    super(message);
  }
}

export const STATUS_OF: Record<DynamicAgentErrorKind, number> = {
  bad_code: 400,
  bad_input: 400,
  conflict: 409,
  not_found: 404,
  protected: 403,
  unavailable: 503,
  too_many_agents: 409,
  rate_limited: 429,
};

/** A spawn that waits for a person's approval before it runs (an `ha_actuator` an LLM asked for). */
export class SpawnWaitsError extends Error {
  override name = 'SpawnWaitsError';
  constructor(
    message: string,
    readonly approval: { id: string; pending: string[]; waiting: true; message: string },
  ) {
    super(message);
  }
}
