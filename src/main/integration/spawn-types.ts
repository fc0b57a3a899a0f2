/**
 * Spawn types: the kinds of agent a spawn spec (a `<spawn>` block, the agent writer, the planner,
 * the catalog) may ask for, registered by the integrations that provide them — the DynamicAgent
 * service registers `dynamic`, `manual` and `llm`; Home Assistant registers `ha_actuator`; the
 * catalog registers `manual_agent` (its host recipe manual-agent). The
 * DynamicAgent service looks the spec's `type` up here to spawn it, and a spawn-registry entry's
 * `kind` to bring it back at hub start. An unknown type is refused with the list of known ones.
 *
 * A type that is an actor built from a stored config (most are) implements `spawn` with
 * `ctx.place(…)`: the service takes the name's lock, refuses or replaces what holds the name,
 * records it in the spawn registry and runs it supervised. `restore` gives the factory back.
 */
import type { Actor } from '../core/actor.js';
import type { SupervisionOptions } from '../core/supervisor.js';
import type { Asker } from '../../shared/approvals.js';

/** What a spawn spec asks for, validated (agents/dynamic/spawn-spec.ts's SpawnSpec is one). */
export interface SpawnRequest {
  readonly name: string;
  readonly type: string;
  readonly description: string;
  readonly capabilities: readonly string[];
  readonly replace: boolean;
  /** Remote node to run it on ('' or absent: this hub). */
  readonly node?: string | undefined;
  /** Every other field of the spec (code, system_prompt, the actuator's fields…). */
  readonly [field: string]: unknown;
}

/** An agent as the spawn registry keeps it. */
export interface RegisteredAgent {
  readonly name: string;
  readonly kind: string;
  readonly code: string | null;
  readonly language: string | null;
  readonly version: number;
  readonly config: Readonly<Record<string, unknown>>;
  readonly node: string;
}

/** What the spawning service offers a spawn type while it spawns one agent. */
export interface SpawnContext {
  /** Who asks: llm, writer, planner, catalog, rest… (store it in the config as `source`). */
  readonly source: string;
  /** Who asks, for approvals (`place` consults them itself; a type that creates through another service passes it on). */
  readonly asker?: Asker;
  /**
   * Runs `build()`'s actor supervised under the spec's name and records it in the spawn registry
   * as `kind` with `config`; what held the name is replaced when `replace`, else a conflict error.
   * `build` runs at once (a bad spec throws before anything changes) and again on each restart.
   */
  place(p: { kind: string; config: Record<string, unknown>; build: () => Actor; replace: boolean }): Promise<void>;
}

export interface SpawnType {
  /** The spec's `type`, and the spawn-registry kind it brings back. */
  readonly type: string;
  /** Other registry kinds it brings back (code agents: `catalog`, for recipes). */
  readonly kinds?: readonly string[];
  /** Whether a spec with a `node` may place it on a remote node (code agents only today). */
  readonly runsOnNodes?: boolean;
  /** Spawns it; one sentence for the user (what it is, how to reach it). Throws a clear error when it cannot. */
  spawn(spec: SpawnRequest, ctx: SpawnContext): Promise<{ message: string; version?: number }>;
  /** The supervisor's factory (and policy) for a registered agent of this type, at hub start. */
  restore(entry: RegisteredAgent): { build: () => Actor; supervision?: SupervisionOptions };
}

export class SpawnTypes {
  private readonly byType = new Map<string, SpawnType>();
  private readonly byKind = new Map<string, SpawnType>();

  constructor(types: Iterable<SpawnType> = []) {
    for (const t of types) this.register(t);
  }

  /** Adds a type; a type or kind that is taken already is a programming error (throws). */
  register(t: SpawnType): void {
    const kinds = [t.type, ...(t.kinds ?? [])];
    const taken = this.byType.has(t.type) ? t.type : kinds.find((k) => this.byKind.has(k));
    if (taken !== undefined) throw new Error(`spawn type "${taken}" is registered twice`);
    this.byType.set(t.type, t);
    for (const k of kinds) this.byKind.set(k, t);
  }

  get(type: string): SpawnType | undefined {
    return this.byType.get(type);
  }

  /** The type that brings back a registry entry of `kind`. */
  forKind(kind: string): SpawnType | undefined {
    return this.byKind.get(kind);
  }

  /** Registered type names, sorted (for errors and prompts). */
  names(): string[] {
    return [...this.byType.keys()].sort();
  }
}
