/** Agents' grants: the store, the topic rules, the grant a spawn gets (see README.md). */
export { GrantStore, partsOf, type GrantEvent, type GrantStoreOptions, type GrantWho, type RefusalInput, type RequestInput, type SetGrantInput } from './grant-store.js';
export {
  commitSpawnGrant,
  grantAsAsked,
  grantForSpawn,
  impliedAsk,
  originOfSource,
  planSpawnGrant,
  withoutUngrantable,
  type Refused,
  type SpawnGrantAsk,
  type SpawnGrantOutcome,
  type SpawnGrantPlan,
  type SpawnGrantPolicy,
} from './spawn-grants.js';
export { FORBIDDEN_NAMESPACES, READABLE_AGENT_TOPICS, TopicRules, ownRoots, topicIn, ungrantableTopic, type AgentIdentity, type TopicGrant } from './topic-rules.js';
export { filterCovers, filtersIntersect, hasWildcard } from './topic-filters.js';
export { ANY_CODE_AGENT, legacyParts, upgradeExistingAgents } from './upgrade-grants.js';
