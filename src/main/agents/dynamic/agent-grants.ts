/**
 * The DynamicAgent service's side of bus grants (src/main/grants): a code agent's declarations
 * (topics, `send_to`) made into what it may ask for — what agent code can never have refused and
 * said, `home_assistant` asked when it reads Home Assistant's topics, hub actors it names asked of
 * approvals (`hubActors`) — before approvals' gate sees the spawn (spawn-grants.ts).
 */
import { actorIdFor } from '../../core/actor-id.js';
import type { ActorSystem } from '../../core/actor-system.js';
import { declareGrant, type RefusedPart } from '../../grants/declared-topics.js';
import type { SpawnRegistry } from '../../persistence/stores/spawn-registry.js';
import type { RefusalSink } from './agent-permissions.js';
import { DynamicAgent } from './dynamic-agent.js';
import { askerOf } from './spawn-grants.js';
import { isCodeKind } from './service-helpers.js';
import type { CreateAgentInput } from './service-types.js';

/** The input as it may be asked for (see the file comment), and what of it was refused. */
export function declaredInput(input: CreateAgentInput, hub: { system: ActorSystem; registry: SpawnRegistry }): { input: CreateAgentInput; refused: RefusedPart[] } {
  // A person (REST, the dashboard, a catalog spawn with the config form), or a node applying its hub's decision.
  const byPerson = askerOf(input).kind === 'person' || input.source === 'hub';
  const isCodeAgent = (name: string): boolean => {
    const actor = hub.system.get(name);
    if (actor) return actor instanceof DynamicAgent;
    const entry = hub.registry.get(name);
    return entry !== undefined && isCodeKind(entry.kind);
  };
  const { grant, refused } = declareGrant(
    { capabilities: input.capabilities ?? [], publishes: input.publishes, subscribes: input.subscribes, retained: input.retained, send_to: input.sendTo, hub_actors: input.hubActors },
    { agent: { id: actorIdFor(input.name), name: input.name }, byPerson, isCodeAgent },
  );
  return {
    input: {
      ...input,
      capabilities: grant.capabilities,
      ...(grant.publishes ? { publishes: grant.publishes } : {}),
      ...(grant.subscribes ? { subscribes: grant.subscribes } : {}),
      ...(grant.retained ? { retained: grant.retained } : {}),
      ...(grant.send_to ? { sendTo: grant.send_to } : {}),
      hubActors: grant.hub_actors,
    },
    refused,
  };
}

/** Says what of an agent's declarations was refused: the hub's log, the agent's, the audit. */
export function sayRefused(agent: string, refused: readonly RefusedPart[], out: { log: (level: 'warning', message: string) => void; tell: (agent: string, level: 'warning', message: string) => void; refusals?: RefusalSink | undefined }): void {
  for (const r of refused) {
    const message = `declared ${r.part} ${r.value} is not granted: ${r.reason}`;
    out.log('warning', `${agent}: ${message}`);
    out.tell(agent, 'warning', message);
    try {
      out.refusals?.({ agent, action: r.action, target: r.value, message });
    } catch {
      // the audit's failure must not fail the spawn
    }
  }
}
