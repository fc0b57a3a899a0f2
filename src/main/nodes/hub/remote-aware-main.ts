/**
 * MainActor that also reaches agents on remote nodes: `@name …` (and anything else main asks by
 * name) goes to a remote agent by name over MQTT when no local actor has that name and the fleet
 * places it on a node. Everything else is MainActor's.
 */
import { MainActor, type MainActorOptions } from '../../agents/main/main-actor.js';
import type { NodeRegistry } from './node-registry.js';

export class RemoteAwareMainActor extends MainActor {
  constructor(
    private readonly nodes: NodeRegistry,
    opts: MainActorOptions,
  ) {
    super(opts);
  }

  override ask<T = unknown>(recipient: string, payload: unknown, timeoutMs?: number): Promise<T> {
    if (!this.system.get(recipient) && this.nodes.isRemote(recipient)) return this.nodes.askRemote<T>(recipient, payload, timeoutMs ?? 60_000, this.name);
    return super.ask<T>(recipient, payload, timeoutMs);
  }
}
