/**
 * The agents a node hosts, on top of the same DynamicAgentService the hub uses (same sandbox,
 * limits, supervision, spawn registry and saved state, in the node's own state directory): a
 * spawn spec from the hub is applied idempotently — unchanged → nothing; new code only → hot-swap
 * (state kept); other changes → replaced (state kept); with `state` (a migration) → that state.
 * A migration exports an agent: stopped (its state flushed), then its spec and state returned.
 *
 * Besides the service's registry, `node_agent_specs` keeps the spec as the hub sent it, so a list
 * and an export give the hub's own version numbers and fields back.
 */
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { ActorSystem } from '../../core/actor-system.js';
import type { DynamicAgentService } from '../../agents/dynamic/dynamic-agent-service.js';
import { DynamicAgentError } from '../../agents/dynamic/errors.js';
import { AGENT_STATE_KEY } from '../../agents/dynamic/state-saver.js';
import { readStoredConfig } from '../../agents/dynamic/agent-config.js';
import { createInputFromSpec, specFromStored } from '../../agents/dynamic/spec-mapping.js';
import { actorIdFor } from '../../core/actor-id.js';
import { remoteAgentSpecSchema, type NodeAgentInfo, type RemoteAgentSpec, type SpawnCommand } from '../../../shared/node-protocol.js';

export interface ApplyOutcome {
  name: string;
  /** unchanged | created | replaced | hot-swapped | moved-in */
  action: string;
}

interface SpecRow {
  name: string;
  spec: string;
  spec_hash: string;
  issued_at: number;
  updated_at: number;
}

const RUNNING_STATES = new Set(['running', 'paused', 'starting']);

/** Stable JSON (sorted keys) so equal specs hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const hash = (v: unknown): string => createHash('sha256').update(canonical(v)).digest('hex');

/** The spec part of a spawn command (without its id and state). */
export function specOf(cmd: SpawnCommand): RemoteAgentSpec {
  const { command_id: _id, state: _state, issued_at: _at, ...spec } = cmd;
  return remoteAgentSpecSchema.parse(spec);
}

export class NodeAgents {
  constructor(
    private readonly system: ActorSystem,
    private readonly service: DynamicAgentService,
    private readonly db: Database,
  ) {
  }

  /** Names of the agents this node hosts (its spawn registry). */
  names(): string[] {
    return this.service.registry.list().map((e) => e.name);
  }

  /** When the hub issued the spawn this agent runs from (hub clock, epoch seconds; 0 when unknown). */
  issuedAt(name: string): number {
    return this.row(name)?.issued_at ?? 0;
  }

  has(name: string): boolean {
    return this.service.registry.get(name) !== undefined;
  }

  /** State of each hosted agent (`stopped` when it is registered but not running). */
  states(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of this.names()) out[name] = this.system.get(name)?.state ?? 'stopped';
    return out;
  }

  infos(): NodeAgentInfo[] {
    return this.service.registry.list().map((e) => {
      const spec = this.storedSpec(e.name);
      return {
        name: e.name,
        actor_id: actorIdFor(e.name),
        state: this.system.get(e.name)?.state ?? 'stopped',
        version: spec?.version ?? e.version,
        language: e.language ?? 'javascript',
        ...(spec?.description ? { description: spec.description } : {}),
      };
    });
  }

  /** Runs the agent a spawn command describes (see the file comment). Throws DynamicAgentError when refused. */
  async apply(cmd: SpawnCommand): Promise<ApplyOutcome> {
    const spec = specOf(cmd);
    const name = spec.name;
    const specHash = hash(spec);
    const row = this.row(name);
    const registered = this.service.registry.get(name);
    const actor = this.system.get(name);
    const running = actor !== undefined && RUNNING_STATES.has(actor.state);

    let action: string;
    if (cmd.state !== undefined && cmd.state !== null) {
      // Moving in with its state: whatever ran here under that name gives way.
      if (registered || actor) await this.service.remove(name).catch(ignoreNotFound);
      await this.system.persistence.persist(name, AGENT_STATE_KEY, cmd.state);
      await this.create(spec, false);
      action = 'moved-in';
    } else if (row?.spec_hash === specHash && registered && running) {
      action = 'unchanged';
    } else if (row && registered && running && hash(withoutCode(JSON.parse(row.spec) as RemoteAgentSpec)) === hash(withoutCode(spec))) {
      await this.service.deploy(name, spec.code, spec.language, `hub version ${spec.version}`);
      action = 'hot-swapped';
    } else {
      await this.create(spec, true);
      action = registered || actor ? 'replaced' : 'created';
    }
    this.db
      .prepare('INSERT OR REPLACE INTO node_agent_specs (name, spec, spec_hash, issued_at, updated_at) VALUES (?, ?, ?, ?, ?)')
      .run(name, JSON.stringify(spec), specHash, cmd.issued_at ?? 0, Date.now() / 1000);
    return { name, action };
  }

  /** Stops the agent and forgets it on this node (code, state). False when it was not here. */
  async remove(name: string): Promise<boolean> {
    this.db.prepare('DELETE FROM node_agent_specs WHERE name = ?').run(name);
    try {
      await this.service.remove(name);
      return true;
    } catch (e) {
      ignoreNotFound(e);
      return false;
    }
  }

  /** Stops the agent (its state is flushed) and returns its spec and state, for a migration. It stays registered. */
  async export(name: string): Promise<{ spec: RemoteAgentSpec; state: Record<string, unknown> | null }> {
    const entry = this.service.registry.get(name);
    if (!entry) throw new DynamicAgentError('not_found', `no agent named "${name}" on this node`);
    const actor = this.system.get(name);
    if (actor && actor.state !== 'stopped' && actor.state !== 'failed') await this.system.stop(name);
    const state = (await this.system.persistence.recall<Record<string, unknown>>(name, AGENT_STATE_KEY)) ?? null;
    return { spec: this.storedSpec(name) ?? specFromRegistry(entry), state };
  }

  private storedSpec(name: string): RemoteAgentSpec | undefined {
    const row = this.row(name);
    if (!row) return undefined;
    const parsed = remoteAgentSpecSchema.safeParse(JSON.parse(row.spec));
    return parsed.success ? parsed.data : undefined;
  }

  private row(name: string): SpecRow | undefined {
    return this.db.prepare('SELECT * FROM node_agent_specs WHERE name = ?').get(name) as SpecRow | undefined;
  }

  private async create(spec: RemoteAgentSpec, replace: boolean): Promise<void> {
    await this.service.create(createInputFromSpec(spec, { replace, source: 'hub' }));
  }
}

function withoutCode(spec: RemoteAgentSpec): Record<string, unknown> {
  const { code: _c, language: _l, version: _v, ...rest } = spec;
  return rest;
}

function ignoreNotFound(e: unknown): void {
  if (e instanceof DynamicAgentError && e.kind === 'not_found') return;
  throw e;
}

/** A spec rebuilt from the node's registry (an agent spawned before the spec table existed). */
function specFromRegistry(entry: { name: string; kind: string; code: string | null; language: string | null; version: number; config: Record<string, unknown> }): RemoteAgentSpec {
  return remoteAgentSpecSchema.parse({ ...specFromStored(entry, readStoredConfig(entry.config)), version: entry.version });
}
