/**
 * What the DynamicAgent service answers about an agent (GET /agents/:name, its code and versions):
 * read from the running actor and the spawn registry, changing neither. An agent may be running
 * and not registered (a built-in actor), registered and not running (stopped, failed, on a node),
 * or both; the description says which. The stored config is shown through publicConfig, so secret
 * values never leave the hub.
 */
import type { ActorSystem } from '../../core/actor-system.js';
import { summarizeActor } from '../../core/actor-summary.js';
import type { CostTracker } from '../../llm/cost-tracker.js';
import type { SpawnEntry, SpawnRegistry } from '../../persistence/stores/spawn-registry.js';
import type { AgentCodeResponse } from '../../../shared/rest.js';
import { publicConfig, readStoredConfig } from './agent-config.js';
import { DynamicAgentError } from './errors.js';
import type { AgentLanguage } from './sandbox/index.js';
import { isCodeKind } from './service-helpers.js';
import type { AgentDescription } from './service-types.js';

export interface AgentViewsDeps {
  system: ActorSystem;
  registry: SpawnRegistry;
  costs: CostTracker;
}

export class AgentViews {
  constructor(private readonly d: AgentViewsDeps) {}

  describe(nameOrId: string): AgentDescription | undefined {
    const { system, registry } = this.d;
    const actor = system.get(nameOrId);
    const name = actor?.name ?? nameOrId;
    const entry = registry.get(name);
    if (!actor && !entry) return undefined;
    const summary = actor ? summarizeActor(system, actor, this.d.costs.forAgent(actor.name)) : {};
    let spec: AgentDescription['spec'] = null;
    if (entry) {
      const cfg = readStoredConfig(entry.config);
      spec = {
        type: entry.kind,
        language: entry.language,
        version: entry.version,
        description: cfg.description,
        capabilities: cfg.capabilities,
        publishes: cfg.publishes,
        subscribes: cfg.subscribes ?? [],
        send_to: [...cfg.send_to, ...cfg.hub_actors],
        input_schema: cfg.input_schema ?? null,
        output_schema: cfg.output_schema ?? null,
        poll_interval: cfg.poll_interval ?? null,
        node: entry.node,
        created_at: entry.createdAt,
        updated_at: entry.updatedAt,
        versions: registry.versions(name).length,
        config: publicConfig(cfg),
      };
    }
    return { ...summary, name, registered: Boolean(entry), spec };
  }

  /** The current code (or version `version`'s) with the version list, newest first. */
  code(name: string, version?: number): AgentCodeResponse {
    const entry = this.requireCodeEntry(name);
    const versions = this.d.registry.versions(name).map((v) => ({ version: v.version, created_at: v.createdAt, ...(v.note ? { note: v.note } : {}) }));
    if (version !== undefined && version !== entry.version) {
      const v = this.versionCode(name, version);
      return { name, code: v.code, language: v.language, version: v.version, versions };
    }
    return { name, code: entry.code ?? '', language: entry.language === 'typescript' ? 'typescript' : 'javascript', version: entry.version, versions };
  }

  versionCode(name: string, version: number): { name: string; version: number; code: string; language: AgentLanguage; created_at: number; note: string } {
    this.requireCodeEntry(name);
    const v = this.d.registry.codeVersion(name, version);
    if (!v) throw new DynamicAgentError('not_found', `${name} has no version ${version}`);
    return { name, version: v.version, code: v.code, language: v.language === 'typescript' ? 'typescript' : 'javascript', created_at: v.createdAt, note: v.note };
  }

  /** The registry entry of a code agent (by name or a running actor's id); not_found / bad_input otherwise. */
  requireCodeEntry(name: string): SpawnEntry {
    const entry = this.d.registry.get(this.d.system.get(name)?.name ?? name);
    if (!entry) throw new DynamicAgentError('not_found', `no dynamic agent named "${name}"`);
    if (!isCodeKind(entry.kind) || entry.code === null) throw new DynamicAgentError('bad_input', `${entry.name} is a ${entry.kind} agent: it has no code`);
    return entry;
  }
}
