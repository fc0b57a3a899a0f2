/** Lifecycle states as the original publishes them in heartbeat/status payloads. */
export const ACTOR_STATES = ['created', 'starting', 'running', 'paused', 'stopping', 'stopped', 'failed'] as const;
export type ActorState = (typeof ACTOR_STATES)[number];

/** core: built into the hub; dynamic: generated/edited code; catalog: spawned from a recipe; llm: an LLMAgent spawned at runtime. */
export const ACTOR_KINDS = ['core', 'dynamic', 'catalog', 'llm'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];
