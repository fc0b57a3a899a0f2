/**
 * Spawns as the original announced them on MQTT, for its dashboard's spawn feed and its monitor's
 * activity feed. When an actor first starts (not when the supervisor restarts it):
 * - `agents/{id}/spawn` `{agentId, agentName, agentType, timestamp}` — the actor announcing itself
 *   (the original's built-in agents did it in `on_start`; its dashboard shows "spawned (type)");
 * - `agents/{parent}/spawned` `{child_id, child_name, timestamp}` on its parent's topic — the
 *   original's `Actor.spawn` did it for every child. Every actor that is not built into the hub
 *   (DynamicAgents, LLM agents, recipes) is main's child here: main, its agent writer, REST and the
 *   catalog all spawn on main's behalf. Built-in actors have no parent, as in the original.
 * Neither is retained (the original's were not): a dashboard that connects later gets the history
 * from `/ws`'s activity feed.
 */
import { topics } from '../../shared/topics.js';
import { originalAgentType, type SpawnAnnouncement, type Spawned } from '../../shared/mqtt-payloads.js';
import type { ActorSystem } from './actor-system.js';
import type { Actor } from './actor.js';

export interface SpawnAnnouncerOptions {
  /** The parent of every actor that is not built in (default 'main'). */
  parent?: string;
  /** Epoch seconds (test seam). */
  now?: () => number;
}

/** Starts announcing; returns a function that stops. */
export function announceSpawns(system: ActorSystem, opts: SpawnAnnouncerOptions = {}): () => void {
  const parentName = opts.parent ?? 'main';
  const now = opts.now ?? (() => Date.now() / 1000);
  return system.events.on('spawned', (actor: Actor) => {
    if (actor.restartCount > 0) return; // the supervisor's restart, not a spawn
    const timestamp = now();
    const self: SpawnAnnouncement = { agentId: actor.actorId, agentName: actor.name, agentType: originalAgentType(actor.name, actor.kind), timestamp };
    system.bus.publish(topics.agent(actor.actorId, 'spawn'), self);
    if (actor.kind === 'core') return;
    const parent = system.get(parentName);
    if (!parent || parent === actor) return;
    const spawned: Spawned = { child_id: actor.actorId, child_name: actor.name, timestamp };
    system.bus.publish(topics.agent(parent.actorId, 'spawned'), spawned);
  });
}
