/** Typed access to the structured durable tables. `createStores(persistence.db)`. */
import type { Database } from 'better-sqlite3';
import { ConversationHistory } from './conversation-history.js';
import { PipelineRules } from './pipeline-rules.js';
import { SpawnRegistry } from './spawn-registry.js';
import { TimeSeries } from './time-series.js';
import { TopicContracts } from './topic-contracts.js';
import { UserFacts } from './user-facts.js';

export interface DurableStores {
  spawnRegistry: SpawnRegistry;
  conversationHistory: ConversationHistory;
  userFacts: UserFacts;
  timeSeries: TimeSeries;
  topicContracts: TopicContracts;
  pipelineRules: PipelineRules;
}

export function createStores(db: Database): DurableStores {
  return {
    spawnRegistry: new SpawnRegistry(db),
    conversationHistory: new ConversationHistory(db),
    userFacts: new UserFacts(db),
    timeSeries: new TimeSeries(db),
    topicContracts: new TopicContracts(db),
    pipelineRules: new PipelineRules(db),
  };
}

export { SpawnRegistry, type SpawnEntry, type SpawnUpsert, type CodeVersion } from './spawn-registry.js';
export { ConversationHistory, type ConversationTurn, type NewTurn } from './conversation-history.js';
export { UserFacts } from './user-facts.js';
export { TimeSeries, type Sample, type NewSample, type RangeQuery } from './time-series.js';
export { TopicContracts, type TopicContract, type TopicContractInput } from './topic-contracts.js';
export { PipelineRules, type PipelineRule } from './pipeline-rules.js';
export { ChatLog, type ChatLogEntry, type ChatLogOptions } from './chat-log.js';
