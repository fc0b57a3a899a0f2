/**
 * The DynamicAgent service as approvals' target (approvals/approval-types.ts): the composition root
 * attaches it, so a person's decision acts on the agent — its grant as the spawn registry holds it,
 * a new grant with a restart, and spawning an agent that waited, as the approving person asked.
 */
import type { ApprovalTarget } from '../../approvals/approval-types.js';
import { readStoredConfig } from './agent-config.js';
import type { DynamicAgentService } from './dynamic-agent-service.js';
import { grantOfConfig } from './spawn-grants.js';
import { parseSpawnSpec } from './spawn-spec.js';

export function approvalTarget(service: DynamicAgentService): ApprovalTarget {
  return {
    registered: () => service.registry.count(),
    agents: () => service.registry.list().map((e) => e.name),
    grantOf(agent) {
      const entry = service.registry.get(agent);
      if (!entry) return undefined;
      const cfg = readStoredConfig(entry.config);
      return { kind: entry.kind, source: cfg.source, grant: grantOfConfig(cfg) };
    },
    setGrant: (agent, grant, note) => service.regrant(agent, grant, note),
    async spawnApproved(spec, asker) {
      const parsed = parseSpawnSpec(spec);
      if (!parsed.ok) return { ok: false, message: parsed.error };
      const report = await service.spawnFromSpec(parsed.spec, 'approval', asker);
      return { ok: report.ok && !report.approval?.waiting, message: report.message };
    },
    tellAgent: (agent, level, message) => service.tellAgent(agent, level, message),
  };
}
