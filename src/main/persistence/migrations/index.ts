/**
 * Every schema migration, oldest first. To change the schema, add `NNN-what-it-does.ts`
 * exporting a Migration with the next version and append it here — never edit or reorder a
 * migration that has shipped (see ../README.md).
 */
import type { Migration } from './migration.js';
import { initialSchema } from './001-initial.js';
import { conversationSummaries } from './002-conversation-summaries.js';
import { fleetTables } from './003-fleet-tables.js';
import { fleetCounters } from './004-fleet-counters.js';
import { approvalTables } from './005-approvals.js';
import { chatLog } from './006-chat-log.js';

export type { Migration } from './migration.js';

export const migrations: readonly Migration[] = [initialSchema, conversationSummaries, fleetTables, fleetCounters, approvalTables, chatLog];
