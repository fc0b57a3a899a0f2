/**
 * A Wactorz node: a headless runner that hosts DynamicAgents for a hub on another machine, over an
 * external MQTT broker. No LLM, no dashboard, no REST — an actor system and two integrations
 * (src/main/integration): the DynamicAgent service (same sandbox, limits and supervision as the
 * hub) and the node runtime (node-runtime.ts: the remote-node protocol of protocol.ts).
 *
 * - State lives in the node's own state directory (SQLite: spawn registry, agent state, the
 *   command ids it applied): a restarted node brings its agents back before it hears the hub.
 * - Commands are applied one at a time, in arrival order, each id once (ProcessedCommands), and
 *   acknowledged on `nodes/{node}/ack` so the hub's outbox can send the next one.
 * - The session with the broker is persistent (stable client id): tasks and commands published
 *   while the node is away are queued by the broker (if it keeps sessions) and handled on return.
 * - It runs only its hub's commands: it needs its fleet key (`wactorz node enroll`, kept in its
 *   state dir's secret store) and refuses to start without one.
 */
import type { Bus } from '../../core/bus.js';
import { ActorSystem } from '../../core/actor-system.js';
import { Teardown } from '../../core/teardown.js';
import { IntegrationHost } from '../../integration/integration-host.js';
import { openPersistence } from '../../persistence/open-persistence.js';
import type { Persistence } from '../../persistence/persistence.js';
import { connectExternalBus } from '../../broker/external-bus.js';
import type { ExternalBusOptions } from '../../broker/external-bus-options.js';
import { stableClientId } from '../../broker/client-id.js';
import { createDynamicAgents } from '../../agents/dynamic/dynamic-integration.js';
import { NotConfiguredProvider } from '../../llm/not-configured-provider.js';
import { CostTracker } from '../../llm/cost-tracker.js';
import type { Logger } from '../../base/logger.js';
import type { SandboxLimits } from '../../agents/dynamic/sandbox/index.js';
import { NODE_NAME_PATTERN, type NodeHeartbeat } from '../../../shared/node-protocol.js';
import type { NodeAgents } from './node-agents.js';
import { createNodeRuntime } from './node-runtime.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import { NodeFleetKey, nodeSecretStore } from '../trust/node-fleet-key.js';
import { FleetCounters } from '../trust/fleet-counters.js';
import { NodeFleetTrust } from '../trust/node-fleet-trust.js';

export interface NodeOptions {
  /** The node's name (`nodes/{name}/…`): letters, digits, - and _. */
  name: string;
  /** Where its SQLite database and agent files live. */
  stateDir: string;
  /** The broker: url or host/port, TLS, credentials, CA (see ExternalBusOptions). */
  broker?: ExternalBusOptions;
  /** Instead of `broker`: a bus already made (tests, an embedding host). Closed with the node. */
  bus?: Bus;
  /** Node and agent heartbeat period (default 10 s). */
  heartbeatMs?: number;
  /** Default sandbox limits of its agents. */
  limits?: Partial<SandboxLimits>;
  /** Where its fleet key is (default `<stateDir>/secrets.json`, owner-only). */
  secrets?: SecretStore;
  log?: Logger;
}

export interface RunningNode {
  readonly name: string;
  readonly system: ActorSystem;
  readonly bus: Bus;
  readonly persistence: Persistence;
  readonly agents: NodeAgents;
  /** The heartbeat document as of now. */
  heartbeat(): NodeHeartbeat;
  /** Resolves when every command received so far has been handled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const NO_LLM = 'agents on a remote node have no LLM: run agents that call agent.llm on the hub';

export async function startNode(opts: NodeOptions): Promise<RunningNode> {
  const name = opts.name;
  if (!NODE_NAME_PATTERN.test(name)) throw new Error(`invalid node name "${name}": letters, digits, - and _ (up to 64)`);
  const log: Logger = opts.log ?? (() => {});
  // Everything opened from here on is closed again if a later step throws, and at stop().
  const teardown = new Teardown(log);
  try {
    // A bus we were given is ours to close, whatever fails next.
    if (opts.bus) teardown.add('bus', () => opts.bus!.close());
    const key = await NodeFleetKey.open(opts.secrets ?? nodeSecretStore(opts.stateDir), name);
    if (!(key instanceof NodeFleetKey)) {
      throw new Error(`${key.error}: it runs only commands its hub signed. On the hub: POST /nodes/${name}/enroll (it answers with a code); here: wactorz node enroll --name ${name} --state-dir ${opts.stateDir} --code <code> (docs/fleet.md)`);
    }
    const persistence = await openPersistence({ stateDir: opts.stateDir, log });
    teardown.add('persistence', () => persistence.close());
    const bus = connectBus(opts, log);
    if (!opts.bus) teardown.add('bus', () => bus.close());
    const system = new ActorSystem({
      bus,
      persistence,
      heartbeatMs: opts.heartbeatMs ?? 10_000,
      node: name,
      onLog: (actor, level, message) => {
        if (level !== 'debug') log(level, `${actor.name}: ${message}`);
      },
    });
    const host = new IntegrationHost({ system, teardown, log });
    // The agents it hosts: the hub's DynamicAgent service (same sandbox, limits, supervision), without an LLM.
    // agent.nodes() on a node is the node itself (the fleet's view is the hub's), as in the original.
    const directory = { nodes: () => [{ node: name, online: true, agents: system.list().map((a) => a.name) }] };
    const dynamic = createDynamicAgents({ system, llm: new NotConfiguredProvider('none', '', '', NO_LLM), costs: new CostTracker(), ...(opts.limits ? { limits: opts.limits } : {}), directory, log });
    host.add(dynamic);
    // The hub's commands, tasks by name, heartbeats (subscribed in this tick, before the bus connects).
    const trust = new NodeFleetTrust(key, new FleetCounters(persistence.db), log);
    const runtime = createNodeRuntime({ name, bus, system, service: dynamic.service, db: persistence.db, trust, heartbeatMs: opts.heartbeatMs ?? 10_000, log });
    host.add(runtime);
    await host.start();
    return { name, system, bus, persistence, agents: runtime.agents, heartbeat: runtime.heartbeat, idle: runtime.idle, stop: () => teardown.close() };
  } catch (e) {
    await teardown.close();
    throw e;
  }
}

function connectBus(opts: NodeOptions, log: Logger): Bus {
  if (opts.bus) return opts.bus;
  if (!opts.broker) throw new Error('startNode: give `broker` (or `bus`)');
  return connectExternalBus({
    clientId: stableClientId(`node:${opts.name}`, 'wactorz-node-'),
    persistentSession: true,
    log: (level, message) => log(level, `mqtt: ${message}`),
    ...opts.broker,
  });
}
