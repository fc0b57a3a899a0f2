/** What agent code may touch on the bus: the topic rules, filter algebra, declarations at spawn (see README.md). */
export { declareGrant, type DeclareContext, type DeclaredGrant, type Declarations, type RefusedPart } from './declared-topics.js';
export { FORBIDDEN_NAMESPACES, READABLE_AGENT_TOPICS, TopicRules, ownRoots, topicIn, ungrantableTopic, type AgentIdentity, type TopicGrant } from './topic-rules.js';
export { filterCovers, filtersIntersect, hasWildcard } from './topic-filters.js';
