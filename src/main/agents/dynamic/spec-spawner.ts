/**
 * Spawn specs (<spawn> blocks, the agent writer, the planner, catalog recipes) spawned by their type
 * (integration/spawn-types.ts), for the DynamicAgent service. Never throws: what happened — spawned,
 * waiting for a person's approval, or refused and why (with the code's diagnostics) — is a report
 * the caller shows the user. Also the `place` that spawn types whose agent is an actor built from a
 * stored config (llm, ha_actuator…) call: the same name lock, conflict rules and spawn gate as a
 * code agent, and the first build validates before anything changes.
 */
import type { Actor } from '../../core/actor.js';
import type { ActorSystem } from '../../core/actor-system.js';
import type { SupervisionOptions } from '../../core/supervisor.js';
import { toError } from '../../core/errors.js';
import type { SpawnContext, SpawnTypes } from '../../integration/spawn-types.js';
import type { SpawnRegistry } from '../../persistence/stores/spawn-registry.js';
import type { Asker } from '../../../shared/approvals.js';
import { readStoredConfig } from './agent-config.js';
import { describeDiagnostics } from './code-check.js';
import { DynamicAgentError, SpawnWaitsError } from './errors.js';
import type { NameLocks } from './name-locks.js';
import { isRemoteNode } from './remote-placement.js';
import type { DynamicAgentServiceOptions, SpawnReport } from './service-types.js';
import { admitSpawn, askerFromSource, pendingApproval } from './spawn-grants.js';
import type { SpawnSpec } from './spawn-spec.js';
import { installForSpec } from './spec-install.js';

export interface SpecSpawnerDeps {
  system: ActorSystem;
  registry: SpawnRegistry;
  spawnTypes: SpawnTypes;
  gate: DynamicAgentServiceOptions['gate'];
  locks: NameLocks;
  supervision: SupervisionOptions;
  /** Removes whatever runs under `name` (the service's own removal, not a user's delete). */
  removeQuietly(name: string): Promise<void>;
}

export class SpecSpawner {
  constructor(private readonly d: SpecSpawnerDeps) {}

  /** Spawns what a validated spawn spec asks for, by its type. Never throws: the report says what happened. */
  async spawn(spec: SpawnSpec, source = 'llm', asker: Asker = askerFromSource(source)): Promise<SpawnReport> {
    const base = { name: spec.name, type: spec.type };
    try {
      const type = this.d.spawnTypes.get(spec.type);
      if (!type) throw new DynamicAgentError('bad_input', `there is no "${spec.type}" agent type in this hub (types: ${this.d.spawnTypes.names().join(', ')})`);
      if (isRemoteNode(spec.node) && !type.runsOnNodes) {
        throw new DynamicAgentError('bad_input', `a ${spec.type} agent cannot run on a node (nodes run code agents); leave "node" out`);
      }
      const notes = await installForSpec(this.d.system, spec);
      const outcome = await type.spawn(spec, this.context(spec, source, asker));
      return { ok: true, ...base, ...outcome, message: [outcome.message, ...notes].join(' ') };
    } catch (e) {
      if (e instanceof SpawnWaitsError) return { ok: true, ...base, message: e.approval.message, approval: e.approval };
      const err = toError(e);
      const detail = e instanceof DynamicAgentError && e.detail?.diagnostics?.length ? `\n${describeDiagnostics(e.detail.diagnostics, 5)}` : '';
      return { ok: false, ...base, message: `${spec.name} was not spawned: ${err.message}${detail}`, ...(e instanceof DynamicAgentError ? { kind: e.kind } : {}) };
    }
  }

  /** `place` for spawn types whose agent is an actor built from a stored config (llm, ha_actuator…). */
  private context(spec: SpawnSpec, source: string, asker: Asker): SpawnContext {
    const name = spec.name;
    const { system, registry } = this.d;
    return {
      source,
      asker,
      place: ({ kind, config, build, replace }) =>
        this.d.locks.run(name, async () => {
          const existing = system.get(name);
          if (existing?.isProtected) throw new DynamicAgentError('protected', `"${name}" is a protected core actor`);
          if ((existing || registry.get(name)) && !replace) throw new DynamicAgentError('conflict', `an agent named "${name}" already exists (set "replace": true to replace it)`);
          const stored = readStoredConfig(config);
          const admission = admitSpawn(
            this.d.gate,
            { name, code: '', description: stored.description, capabilities: stored.capabilities, asker, source },
            kind,
            !(existing || registry.get(name)),
            { ...spec },
          );
          if (admission?.waiting) {
            const waits = pendingApproval(admission.commit()!);
            throw new SpawnWaitsError(waits.message, { ...waits, waiting: true });
          }
          const granted = admission ? { ...stored, capabilities: admission.grant.capabilities } : stored;
          const first = build(); // validates (an invalid spec throws here, before anything changes)
          if (existing) await this.d.removeQuietly(name);
          registry.upsert({ name, kind, code: null, language: null, config: granted, node: '' });
          let pending: Actor | undefined = first;
          await system.spawnSupervised(name, () => (pending ? ((pending = undefined), first) : build()), this.d.supervision);
          admission?.commit();
        }),
    };
  }
}
