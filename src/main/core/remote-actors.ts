/**
 * Location transparency: actors that do not run in this process (DynamicAgents on remote nodes)
 * are reached through a RemoteActors resolver that the part knowing where they run registers with
 * the ActorSystem (`system.addRemote(…)`; the nodes integration does it on the hub). The system
 * consults resolvers only for a name or id no local actor has, so `ask` and `send` — from main's
 * @mentions, REST, `agent.sendTo` in generated code — work the same wherever the actor runs, and no
 * caller asks "is it remote?".
 */
export interface RemoteActors {
  /** The actor's name when `nameOrId` (a name or an actor id) is one this resolver reaches; else undefined. */
  resolve(nameOrId: string): string | undefined;
  /** A TASK to it, answered with its RESULT payload; rejects with AskError (typed kind, e.g. timeout). */
  ask(name: string, payload: unknown, timeoutMs: number, from: string): Promise<unknown>;
  /** A TASK nobody waits for; false when it could not be sent. */
  tell(name: string, payload: unknown, from: string): boolean;
}
