/** Public surface of the persistence layer. See README.md in this folder. */
export type { Persistence, PersistenceTier, PersistOptions, EphemeralBackend } from './persistence.js';
export { openPersistence, PersistenceClosedError, type OpenPersistenceOptions } from './open-persistence.js';
export { openDatabase, databasePath, DATABASE_FILE, type OpenDatabaseOptions } from './sqlite/open-database.js';
export { applyMigrations, schemaVersion, latestVersion, DatabaseTooNewError, MigrationError, type MigrationResult } from './sqlite/migrate.js';
export { migrations, type Migration } from './migrations/index.js';
export { routeKey, DURABLE_NAMES, DURABLE_PREFIXES, EPHEMERAL_NAMES, EPHEMERAL_PREFIXES } from './key-routing.js';
export { PersistenceValueError } from './json-value.js';
export { UnsafeNameError } from './safe-name.js';
export type { EphemeralStore } from './ephemeral/ephemeral-store.js';
export { MemoryEphemeralStore } from './ephemeral/memory-store.js';
export { RedisEphemeralStore, type RedisEphemeralOptions } from './ephemeral/redis-store.js';
export { BlobStore } from './blob/blob-store.js';
export {
  createStores,
  type DurableStores,
  SpawnRegistry,
  type SpawnEntry,
  type SpawnUpsert,
  type CodeVersion,
  ConversationHistory,
  type ConversationTurn,
  type NewTurn,
  UserFacts,
  TimeSeries,
  type Sample,
  type NewSample,
  type RangeQuery,
  TopicContracts,
  type TopicContract,
  type TopicContractInput,
  PipelineRules,
  type PipelineRule,
} from './stores/index.js';
