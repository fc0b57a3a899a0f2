/**
 * Approvals as an integration (src/main/integration):
 *
 *   const approvals = createApprovalsIntegration({ db: persistence.db, bus, env, log });
 *   const dynamic = createDynamicAgents({ …, gate: approvals.approvals });   // spawns consult it
 *   approvals.approvals.attach(dynamic.service);                             // decisions act on it
 *   host.add(approvals);   // routes /approvals… /grants…, chat /approve /deny /approvals /grants /revoke
 *
 * Every approval event is published, retained, on `system/approvals` (APPROVALS_TOPIC) with the
 * pending count: the dashboard refetches GET /approvals on it (the REST answer is what it shows,
 * never the bus payload), the desktop tray counts and notifies. `onEvent` lets the activity feed
 * take them too (feed-events.ts). At start the count is announced, so approvals pending since
 * before a restart notify again.
 */
import type { Database } from 'better-sqlite3';
import { APPROVALS_TOPIC } from '../../shared/approvals.js';
import type { Bus } from '../core/bus.js';
import type { Integration } from '../integration/integration.js';
import type { Logger } from '../base/logger.js';
import { approvalCommands } from './approval-commands.js';
import { approvalRoutes } from './approvals-routes.js';
import { ApprovalStore } from './approval-store.js';
import { Approvals } from './approvals-service.js';
import { approvalLimitsFrom } from './approvals-config.js';
import type { ApprovalLimits } from './grant-policy.js';

export interface ApprovalsIntegrationOptions {
  db: Database;
  bus: Bus;
  env?: NodeJS.ProcessEnv;
  /** Overrides of the caps and ceilings (tests); the environment's otherwise. */
  limits?: Parameters<typeof approvalLimitsFrom>[1];
  log?: Logger;
  now?: () => number;
}

export interface ApprovalsIntegration extends Integration {
  readonly approvals: Approvals;
  readonly limits: ApprovalLimits;
}

export function createApprovalsIntegration(o: ApprovalsIntegrationOptions): ApprovalsIntegration {
  const limits = approvalLimitsFrom(o.env ?? {}, o.limits, o.log);
  const approvals = new Approvals({ store: new ApprovalStore(o.db, { ...(o.log ? { log: o.log } : {}) }), limits, ...(o.log ? { log: o.log } : {}), ...(o.now ? { now: o.now } : {}) });
  const off = approvals.onEvent((event) => o.bus.publish(APPROVALS_TOPIC, event, { retain: true, qos: 1 }));
  return {
    name: 'approvals',
    approvals,
    limits,
    routes: [approvalRoutes(approvals)],
    commands: approvalCommands(approvals),
    start() {
      const pending = approvals.pendingCount();
      if (pending) o.log?.('warning', `approvals: ${pending} request(s) wait for a person (dashboard → Approvals, /approvals in chat)`);
      approvals.announce();
    },
    stop() {
      off();
    },
  };
}

export { Approvals } from './approvals-service.js';
export { SpawnRefusedError } from './spawn-caps.js';
export type { SpawnGate, SpawnAsk, Admission, ApprovalTarget, HeldGrant } from './approval-types.js';
export { approvalFeedEvent } from './feed-events.js';
