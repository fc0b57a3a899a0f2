/**
 * A Wactorz node: a headless runner that hosts DynamicAgents for a hub on another machine, over an
 * external MQTT broker. No LLM, no dashboard, no REST — an actor system, the DynamicAgent service
 * (same sandbox, limits and supervision as the hub) and the remote-node protocol (protocol.ts).
 *
 * - State lives in the node's own state directory (SQLite: spawn registry, agent state, the
 *   command ids it applied): a restarted node brings its agents back before it hears the hub.
 * - Commands are applied one at a time, in arrival order, each id once (ProcessedCommands), and
 *   acknowledged on `nodes/{node}/ack` so the hub's outbox can send the next one.
 * - The session with the broker is persistent (stable client id): tasks and commands published
 *   while the node is away are queued by the broker (if it keeps sessions) and handled on return.
 */
import os from 'node:os';
import type { Bus } from '../../core/bus.js';
import { ActorSystem } from '../../core/actor-system.js';
import { toError } from '../../core/errors.js';
import { openPersistence } from '../../persistence/open-persistence.js';
import type { Persistence } from '../../persistence/persistence.js';
import { connectExternalBus, type ExternalBus, type ExternalBusOptions } from '../../broker/external-bus.js';
import { stableClientId } from '../../broker/client-id.js';
import { DynamicAgentService } from '../../agents/dynamic/dynamic-agent-service.js';
import { NotConfiguredProvider } from '../../llm/not-configured-provider.js';
import { CostTracker } from '../../llm/cost-tracker.js';
import type { Logger } from '../../base/logger.js';
import type { SandboxLimits } from '../../agents/dynamic/sandbox/index.js';
import {
  NODE_COMMANDS,
  NODE_NAME_PATTERN,
  desiredStateSchema,
  listCommandSchema,
  migrateCommandSchema,
  nodeTopics,
  spawnCommandSchema,
  stopAllCommandSchema,
  stopCommandSchema,
  type CommandAck,
  type MigrateResult,
  type NodeAgents as NodeAgentsPayload,
  type NodeCommandKind,
  type NodeHeartbeat,
} from '../../../shared/node-protocol.js';
import { NodeAgents } from './node-agents.js';
import { ProcessedCommands } from './processed-commands.js';
import { TaskServer } from './task-server.js';

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
  const heartbeatMs = opts.heartbeatMs ?? 10_000;
  const startedAt = Date.now() / 1000;

  const persistence = await openPersistence({ stateDir: opts.stateDir, log });
  let bus: Bus;
  try {
    if (opts.bus) bus = opts.bus;
    else if (opts.broker) {
      bus = connectExternalBus({
        clientId: stableClientId(`node:${name}`, 'wactorz-node-'),
        persistentSession: true,
        log: (level, message) => log(level, `mqtt: ${message}`),
        ...opts.broker,
      });
    } else throw new Error('startNode: give `broker` (or `bus`)');
  } catch (e) {
    await persistence.close();
    throw e;
  }

  const processed = new ProcessedCommands(persistence.db);
  const system = new ActorSystem({
    bus,
    persistence,
    heartbeatMs,
    node: name,
    onLog: (actor, level, message) => {
      if (level !== 'debug') log(level, `${actor.name}: ${message}`);
    },
  });
  const service = new DynamicAgentService({
    system,
    llm: new NotConfiguredProvider('none', '', '', NO_LLM),
    costs: new CostTracker(),
    ...(opts.limits ? { limits: opts.limits } : {}),
    log,
  });
  service.start();
  const agents = new NodeAgents(system, service, persistence.db);
  const tasks = new TaskServer({ bus, system, node: name, log: (level, message) => log(level, `tasks: ${message}`) });

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
    subscriptions: system.traffic.subscriptionsOf(agents.names()),
  });
  const beat = (): void => bus.publish(nodeTopics.heartbeat(name), heartbeat());

  const ack = (commandId: string, kind: NodeCommandKind, ok: boolean, extra: { error?: string; duplicate?: boolean } = {}): void => {
    const payload: CommandAck = { command_id: commandId, node: name, kind, ok, ...extra, timestamp: Date.now() / 1000 };
    bus.publish(nodeTopics.ack(name), payload, { qos: 1 });
  };

  /** After anything that changed which agents run here: serve their tasks, tell the hub at once. */
  const changed = (): void => {
    tasks.sync(agents.names());
    beat();
  };

  // ── commands ──────────────────────────────────────────────────────────────

  const handlers: Record<NodeCommandKind, (raw: Buffer) => Promise<void>> = {
    async spawn(raw) {
      if (raw.length === 0) return; // a cleared retained message
      const cmd = parse(spawnCommandSchema, raw, 'spawn');
      if (!cmd) return;
      const seen = processed.get(cmd.command_id);
      if (seen) return ack(cmd.command_id, 'spawn', seen.ok, { duplicate: true, ...(seen.ok ? {} : { error: String(seen.result ?? 'failed') }) });
      try {
        const outcome = await agents.apply(cmd);
        processed.record(cmd.command_id, 'spawn', true, outcome.action);
        log('info', `spawn ${cmd.name} (hub version ${cmd.version}): ${outcome.action}`);
        ack(cmd.command_id, 'spawn', true);
      } catch (e) {
        const error = toError(e).message;
        processed.record(cmd.command_id, 'spawn', false, error);
        log('warning', `spawn ${cmd.name} refused: ${error}`);
        ack(cmd.command_id, 'spawn', false, { error });
      }
      changed();
    },

    async stop(raw) {
      const cmd = parse(stopCommandSchema, raw, 'stop');
      if (!cmd) return;
      if (processed.has(cmd.command_id)) return ack(cmd.command_id, 'stop', true, { duplicate: true });
      const was = await agents.remove(cmd.name);
      processed.record(cmd.command_id, 'stop', true, was);
      log('info', was ? `stopped and removed ${cmd.name}` : `stop ${cmd.name}: it was not here`);
      ack(cmd.command_id, 'stop', true);
      changed();
    },

    async stop_all(raw) {
      const cmd = parse(stopAllCommandSchema, raw, 'stop_all');
      if (!cmd) return;
      if (processed.has(cmd.command_id)) return ack(cmd.command_id, 'stop_all', true, { duplicate: true });
      const names = agents.names();
      for (const n of names) await agents.remove(n);
      processed.record(cmd.command_id, 'stop_all', true, names);
      log('info', `stopped and removed every agent (${names.length})`);
      ack(cmd.command_id, 'stop_all', true);
      changed();
    },

    async list(raw) {
      const cmd = raw.length ? parse(listCommandSchema, raw, 'list') : {};
      if (!cmd) return;
      const reply: NodeAgentsPayload = { node: name, timestamp: Date.now() / 1000, ...(cmd.command_id ? { command_id: cmd.command_id } : {}), agents: agents.infos() };
      bus.publish(nodeTopics.agents(name), reply, { qos: 1 });
    },

    async migrate(raw) {
      const cmd = parse(migrateCommandSchema, raw, 'migrate');
      if (!cmd) return;
      const seen = processed.get(cmd.command_id);
      if (seen) {
        // The hub may have missed the result: the same export again, never a second one.
        if (seen.result && typeof seen.result === 'object') bus.publish(nodeTopics.migrateResult(name), seen.result, { qos: 1 });
        return ack(cmd.command_id, 'migrate', seen.ok, { duplicate: true });
      }
      let result: MigrateResult;
      try {
        const { spec, state } = await agents.export(cmd.name);
        result = { command_id: cmd.command_id, node: name, name: cmd.name, to: cmd.to, ok: true, spec, state, timestamp: Date.now() / 1000 };
        // Recorded before the agent is removed: a crash in between gives the same export again.
        processed.record(cmd.command_id, 'migrate', true, result);
        await agents.remove(cmd.name);
        log('info', `${cmd.name} exported for migration to ${cmd.to}`);
      } catch (e) {
        result = { command_id: cmd.command_id, node: name, name: cmd.name, to: cmd.to, ok: false, error: toError(e).message, timestamp: Date.now() / 1000 };
        processed.record(cmd.command_id, 'migrate', false, result);
        log('warning', `migrate ${cmd.name}: ${result.error}`);
      }
      bus.publish(nodeTopics.migrateResult(name), result, { qos: 1 });
      ack(cmd.command_id, 'migrate', result.ok, result.ok ? {} : { error: result.error ?? 'failed' });
      changed();
    },

    async desired_state(raw) {
      if (raw.length === 0) return;
      const desired = parse(desiredStateSchema, raw, 'desired_state');
      if (!desired) return;
      if (processed.has(desired.command_id)) return ack(desired.command_id, 'desired_state', true, { duplicate: true });
      const last = Number(processed.meta('desired_revision') ?? '-1');
      if (desired.revision < last) {
        log('debug', `desired state revision ${desired.revision} is older than ${last}: ignored`);
        return;
      }
      const wanted = new Set(desired.agents.map((a) => a.name));
      let failures = 0;
      for (const entry of desired.agents) {
        // Applied before (by its spawn command or an earlier snapshot): an agent removed here since
        // (moved away, deleted by hand) is not brought back by a stale snapshot.
        if (processed.has(entry.command_id)) continue;
        try {
          const outcome = await agents.apply(entry);
          processed.record(entry.command_id, 'spawn', true, outcome.action);
          if (outcome.action !== 'unchanged') log('info', `desired state: ${entry.name} ${outcome.action}`);
        } catch (e) {
          failures++;
          processed.record(entry.command_id, 'spawn', false, toError(e).message);
          log('warning', `desired state: ${entry.name} refused: ${toError(e).message}`);
        }
      }
      for (const n of agents.names()) {
        // Spawned by a command the hub issued after this snapshot was taken: the snapshot is stale for it.
        if (!wanted.has(n) && agents.issuedAt(n) <= desired.timestamp) {
          await agents.remove(n);
          log('info', `desired state: ${n} is not wanted here any more: removed`);
        }
      }
      processed.record(desired.command_id, 'desired_state', failures === 0);
      processed.setMeta('desired_revision', String(desired.revision));
      ack(desired.command_id, 'desired_state', failures === 0, failures ? { error: `${failures} agent(s) refused` } : {});
      changed();
    },
  };

  function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, raw: Buffer, kind: NodeCommandKind): T | undefined {
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      log('warning', `${kind}: ignored a payload that is not JSON`);
      return undefined;
    }
    const r = schema.safeParse(json);
    if (r.success) return r.data;
    const why = r.error.issues.map((i) => `${i.path.join('.') || kind}: ${i.message}`).join('; ');
    log('warning', `${kind}: ignored an invalid command: ${why}`);
    const id = (json as { command_id?: unknown } | null)?.command_id;
    if (typeof id === 'string' && id) ack(id, kind, false, { error: `invalid ${kind} command: ${why}` });
    return undefined;
  }

  // One command at a time, in arrival order: a spawn and a stop of the same agent never interleave.
  let queue: Promise<void> = Promise.resolve();
  let closed = false;
  const offs = NODE_COMMANDS.map((kind) =>
    bus.subscribe(nodeTopics.command(name, kind), (_topic, raw) => {
      if (closed) return;
      queue = queue.then(() => handlers[kind](raw)).catch((e: unknown) => log('error', `${kind} failed: ${toError(e).message}`));
    }),
  );
  // Subscribed in the same tick the bus was made (before it can connect): tasks the broker kept for
  // us while we were away have a handler when they arrive; they wait for their agent to be restored.
  tasks.sync(agents.names());

  const restored = await service.restore();
  for (const f of restored.failed) log('warning', `could not restore ${f.name}: ${f.error}`);
  beat();
  const timer = setInterval(beat, heartbeatMs);
  timer.unref();
  const external = isExternal(bus) ? bus : undefined;
  const offState = external?.onStateChange((s) => {
    if (s === 'connected') beat();
  });

  let stopping: Promise<void> | undefined;
  return {
    name,
    system,
    bus,
    persistence,
    agents,
    heartbeat,
    idle: () => queue,
    stop: () =>
      (stopping ??= (async () => {
        closed = true;
        clearInterval(timer);
        offState?.();
        for (const off of offs) off();
        await queue.catch(() => undefined);
        tasks.close();
        await system.shutdown();
        await service.close();
        await bus.close();
        await persistence.close();
      })()),
  };
}

function isExternal(bus: Bus): bus is ExternalBus {
  return typeof (bus as Partial<ExternalBus>).onStateChange === 'function';
}
