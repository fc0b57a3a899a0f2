/**
 * What makes an actor system a node, as an integration (src/main/integration) of `startNode`:
 * the hub's commands (`nodes/{node}/…`, handled one at a time in arrival order by
 * NodeCommandHandlers), tasks by name for the agents it hosts (TaskServer), its heartbeat, and
 * location transparency outwards: a name or id no agent here has is sent to the hub on
 * `nodes/{node}/ask` (RemoteTasks; `from` is `<agent>@<node>`), which serves it or forwards it to
 * the node that hosts it — so `agent.sendTo` reaches agents on the hub and on other nodes.
 *
 * Trust (../trust/): a command runs only when the hub signed it with this node's key and its
 * sequence number is new for its kind (NodeFleetTrust); anything else — an agent or any bus client
 * publishing `nodes/{node}/spawn`, a replay, another node's key — is refused and logged. Everything
 * the node says to the hub (heartbeat, acks, lists, migrate results, asks, task replies) is signed,
 * and replies to its asks count only when the hub signed them.
 *
 * Commands and tasks are subscribed when the runtime is made — in the same tick as the bus, before
 * it can connect — so what the broker kept for us while we were away has a handler when it arrives
 * (tasks wait for their agent to be restored). start() (after the agents are restored) begins the
 * heartbeat; drain() (before the agents stop) unsubscribes and lets the command under way finish.
 */
import os from 'node:os';
import type { Database } from 'better-sqlite3';
import type { Bus } from '../../core/bus.js';
import type { ActorSystem } from '../../core/actor-system.js';
import { toError } from '../../core/errors.js';
import type { ExternalBus } from '../../broker/external-bus.js';
import type { DynamicAgentService } from '../../agents/dynamic/dynamic-agent-service.js';
import type { Integration } from '../../integration/integration.js';
import { NODE_COMMANDS, nodeTopics, type NodeHeartbeat } from '../../../shared/node-protocol.js';
import { REPLY_TOPIC_ROOT, RemoteTasks } from '../remote-tasks.js';
import { NodeAgents } from './node-agents.js';
import { NodeCommandHandlers } from './node-command-handlers.js';
import { ProcessedCommands } from './processed-commands.js';
import { TaskServer } from './task-server.js';
import type { NodeFleetTrust } from '../trust/node-fleet-trust.js';

export interface NodeRuntimeOptions {
  name: string;
  bus: Bus;
  system: ActorSystem;
  /** The node's DynamicAgent service (its agents, registry and saved state). */
  service: DynamicAgentService;
  /** The node's SQLite database (applied command ids, the specs as the hub sent them). */
  db: Database;
  /** Checks the hub's signatures, signs the node's messages. */
  trust: NodeFleetTrust;
  heartbeatMs: number;
  log: (level: 'debug' | 'info' | 'warning' | 'error', message: string) => void;
}

export interface NodeRuntime extends Integration {
  readonly agents: NodeAgents;
  /** The heartbeat document as of now. */
  heartbeat(): NodeHeartbeat;
  /** Resolves when every command received so far has been handled. */
  idle(): Promise<void>;
}

export function createNodeRuntime(o: NodeRuntimeOptions): NodeRuntime {
  const { name, bus, log, trust } = o;
  const send = (topic: string, body: Record<string, unknown>, qos: 0 | 1 = 1): void => bus.publish(topic, trust.seal(topic, body), { qos });
  const startedAt = Date.now() / 1000;
  const agents = new NodeAgents(o.system, o.service, o.db);
  const tasks = new TaskServer({ bus, system: o.system, node: name, log: (level, message) => log(level, `tasks: ${message}`), sealReply: (topic, reply) => trust.seal(topic, reply) });

  const heartbeat = (): NodeHeartbeat => ({
    node: name,
    timestamp: Date.now() / 1000,
    agents: agents.names(),
    agent_states: agents.states(),
    load: os.loadavg(),
    memory_mb: Math.round((process.memoryUsage().rss / 1024 / 1024) * 10) / 10,
    cpus: os.cpus().length || 1,
    started_at: startedAt,
    hostname: os.hostname(),
    // The hub draws its graph of agents with them (src/main/graph).
    subscriptions: o.system.traffic.subscriptionsOf(agents.names()),
  });
  const beat = (): void => send(nodeTopics.heartbeat(name), heartbeat(), 0);

  const handlers = new NodeCommandHandlers({
    name,
    send,
    key: trust.key,
    agents,
    processed: new ProcessedCommands(o.db),
    // Which agents run here changed: serve their tasks, tell the hub at once.
    changed: () => {
      tasks.sync(agents.names());
      beat();
    },
    log,
  });

  // One command at a time, in arrival order: a spawn and a stop of the same agent never interleave.
  let queue: Promise<void> = Promise.resolve();
  let closed = false;
  const offs = NODE_COMMANDS.map((kind) =>
    bus.subscribe(nodeTopics.command(name, kind), (topic, raw) => {
      if (closed || raw.length === 0) return; // an empty payload clears a retained command: nothing to do
      const m = trust.open(topic, raw, { kind });
      if (!m.ok) return; // refused and logged by the check
      queue = queue.then(() => handlers.handle(kind, m.body)).catch((e: unknown) => log('error', `${kind} failed: ${toError(e).message}`));
    }),
  );
  tasks.sync(agents.names());

  // Anything not here may run on the hub or on another node: the hub routes it (or answers not_found).
  const fleet = new RemoteTasks({
    bus,
    via: nodeTopics.ask(name),
    replyPrefix: `${REPLY_TOPIC_ROOT}/node-${name}/`,
    log: (level, message) => log(level, `tasks: ${message}`),
    seal: (topic, message) => trust.seal(topic, message),
    openReply: (topic, raw) => trust.open(topic, raw),
  });
  const offRemote = o.system.addRemote({
    resolve: (nameOrId) => nameOrId,
    ask: (to, payload, timeoutMs, from) => fleet.ask(to, payload, timeoutMs, `${from}@${name}`),
    tell: (to, payload, from) => fleet.tell(to, payload, `${from}@${name}`),
  });

  let timer: NodeJS.Timeout | undefined;
  let offState: (() => void) | undefined;
  return {
    name: 'node',
    agents,
    heartbeat,
    idle: () => queue,
    start() {
      void fleet.start(); // subscribes its reply topic now; does not wait for the broker
      beat();
      timer = setInterval(beat, o.heartbeatMs);
      timer.unref();
      // Back on the broker: say so at once (the hub may have marked us offline).
      offState = isExternal(bus) ? bus.onStateChange((s) => s === 'connected' && beat()) : undefined;
    },
    async drain() {
      closed = true;
      clearInterval(timer);
      offState?.();
      for (const off of offs) off();
      await queue.catch(() => undefined);
      tasks.close();
      offRemote();
      fleet.stop();
    },
  };
}

function isExternal(bus: Bus): bus is ExternalBus {
  return typeof (bus as Partial<ExternalBus>).onStateChange === 'function';
}
