/**
 * The seams between approvals and the rest of the hub:
 * - `SpawnGate`: what the DynamicAgent service asks before it builds an agent (`admit`), and tells
 *   when an agent is gone (`forget`). It lives here, below agents/dynamic, so the service can take
 *   it as an option without knowing the store or the routes.
 * - `ApprovalTarget`: what approvals need from the service to act on a decision (the agent's grant
 *   as it stands, a new grant with a restart, spawning an agent that waited). The composition root
 *   attaches the service; approvals never import agents/.
 */
import type { Approval, ApprovalItem, Asker, GrantAsk } from '../../shared/approvals.js';

/** One spawn, as the gate sees it. */
export interface SpawnAsk {
  agent: string;
  /** dynamic, manual, catalog, llm, ha_actuator… */
  kind: string;
  asker: Asker;
  /** Why, in the asker's words (the spec's description, the recipe's). */
  reason: string;
  ask: GrantAsk;
  /** Not replacing an agent of that name (counts against the total). */
  newName: boolean;
  /** The spawn spec, kept for an agent that waits (spawned as asked once approved). */
  spec?: Record<string, unknown>;
}

export interface Admission {
  /** What the agent runs with. */
  grant: GrantAsk;
  /** What waits for a person. */
  pending: ApprovalItem[];
  /** Do not start the agent: it waits for its `spawn` item. */
  waiting: boolean;
  /** Clamping notes (limits above the hub's maxima). */
  notes: string[];
  /**
   * Call once the agent was spawned — or, when `waiting`, instead of spawning it: counts the spawn
   * against the caps, records the pending approval (and cancels older pending ones of that agent).
   */
  commit(): Approval | undefined;
}

export interface SpawnGate {
  /** Throws SpawnRefusedError past a cap; records nothing until `commit()`. */
  admit(ask: SpawnAsk): Admission;
  /** The agent was deleted: its pending approvals are cancelled. */
  forget(agent: string): void;
}

/** An agent's grant as the spawn registry holds it. */
export interface HeldGrant {
  kind: string;
  source: string;
  grant: GrantAsk;
}

export interface ApprovalTarget {
  /** Agents in the spawn registry (the total cap). */
  registered(): number;
  /** Every registered agent's name. */
  agents(): string[];
  grantOf(agent: string): HeldGrant | undefined;
  /** Stores a new grant for the agent and restarts it with it (its state is kept). */
  setGrant(agent: string, grant: GrantAsk, note: string): Promise<void>;
  /** Spawns an agent that waited for approval: its spec, asked by the person who approved it. */
  spawnApproved(spec: Record<string, unknown>, asker: Asker): Promise<{ ok: boolean; message: string }>;
  /** A line in the agent's own log (the dashboard shows it). */
  tellAgent(agent: string, level: 'info' | 'warning', message: string): void;
}

export type ApprovalErrorKind = 'not_found' | 'bad_input' | 'conflict' | 'unavailable';

export class ApprovalError extends Error {
  override name = 'ApprovalError';
  constructor(
    readonly kind: ApprovalErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const APPROVAL_STATUS: Record<ApprovalErrorKind, number> = { not_found: 404, bad_input: 400, conflict: 409, unavailable: 503 };
