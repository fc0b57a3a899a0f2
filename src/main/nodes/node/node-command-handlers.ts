/**
 * A node's command handlers, one per kind of the node protocol (protocol.ts): each command is
 * parsed (invalid → logged and, when it has an id, acknowledged as refused), applied once per
 * `command_id` (ProcessedCommands: a repeat is acknowledged as a duplicate with the first outcome),
 * and acknowledged on `nodes/{node}/ack` so the hub's outbox sends the next one. The runtime
 * (node-runtime.ts) calls `handle` one command at a time, in arrival order.
 */
import type { Bus } from '../../core/bus.js';
import { toError } from '../../core/errors.js';
import {
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
} from '../../../shared/node-protocol.js';
import type { NodeAgents } from './node-agents.js';
import type { ProcessedCommands } from './processed-commands.js';

export interface NodeCommandDeps {
  name: string;
  bus: Bus;
  agents: NodeAgents;
  processed: ProcessedCommands;
  /** After anything that changed which agents run here (serve their tasks, tell the hub). */
  changed(): void;
  log: (level: 'debug' | 'info' | 'warning' | 'error', message: string) => void;
}

export class NodeCommandHandlers {
  constructor(private readonly d: NodeCommandDeps) {}

  /** Applies one command (its raw payload); never throws for a bad payload. */
  handle(kind: NodeCommandKind, raw: Buffer): Promise<void> {
    // One method per kind, named like it.
    return this[kind](raw);
  }

  private async spawn(raw: Buffer): Promise<void> {
    if (raw.length === 0) return; // a cleared retained message
    const cmd = this.parse(spawnCommandSchema, raw, 'spawn');
    if (!cmd) return;
    const seen = this.d.processed.get(cmd.command_id);
    if (seen) return this.ack(cmd.command_id, 'spawn', seen.ok, { duplicate: true, ...(seen.ok ? {} : { error: String(seen.result ?? 'failed') }) });
    try {
      const outcome = await this.d.agents.apply(cmd);
      this.d.processed.record(cmd.command_id, 'spawn', true, outcome.action);
      this.log('info', `spawn ${cmd.name} (hub version ${cmd.version}): ${outcome.action}`);
      this.ack(cmd.command_id, 'spawn', true);
    } catch (e) {
      const error = toError(e).message;
      this.d.processed.record(cmd.command_id, 'spawn', false, error);
      this.log('warning', `spawn ${cmd.name} refused: ${error}`);
      this.ack(cmd.command_id, 'spawn', false, { error });
    }
    this.d.changed();
  }

  private async stop(raw: Buffer): Promise<void> {
    const cmd = this.parse(stopCommandSchema, raw, 'stop');
    if (!cmd) return;
    if (this.d.processed.has(cmd.command_id)) return this.ack(cmd.command_id, 'stop', true, { duplicate: true });
    const was = await this.d.agents.remove(cmd.name);
    this.d.processed.record(cmd.command_id, 'stop', true, was);
    this.log('info', was ? `stopped and removed ${cmd.name}` : `stop ${cmd.name}: it was not here`);
    this.ack(cmd.command_id, 'stop', true);
    this.d.changed();
  }

  private async stop_all(raw: Buffer): Promise<void> {
    const cmd = this.parse(stopAllCommandSchema, raw, 'stop_all');
    if (!cmd) return;
    if (this.d.processed.has(cmd.command_id)) return this.ack(cmd.command_id, 'stop_all', true, { duplicate: true });
    const names = this.d.agents.names();
    for (const n of names) await this.d.agents.remove(n);
    this.d.processed.record(cmd.command_id, 'stop_all', true, names);
    this.log('info', `stopped and removed every agent (${names.length})`);
    this.ack(cmd.command_id, 'stop_all', true);
    this.d.changed();
  }

  private async list(raw: Buffer): Promise<void> {
    const cmd = raw.length ? this.parse(listCommandSchema, raw, 'list') : {};
    if (!cmd) return;
    const reply: NodeAgentsPayload = { node: this.d.name, timestamp: Date.now() / 1000, ...(cmd.command_id ? { command_id: cmd.command_id } : {}), agents: this.d.agents.infos() };
    this.d.bus.publish(nodeTopics.agents(this.d.name), reply, { qos: 1 });
  }

  private async migrate(raw: Buffer): Promise<void> {
    const cmd = this.parse(migrateCommandSchema, raw, 'migrate');
    if (!cmd) return;
    const seen = this.d.processed.get(cmd.command_id);
    if (seen) {
      // The hub may have missed the result: the same export again, never a second one.
      if (seen.result && typeof seen.result === 'object') this.d.bus.publish(nodeTopics.migrateResult(this.d.name), seen.result, { qos: 1 });
      return this.ack(cmd.command_id, 'migrate', seen.ok, { duplicate: true });
    }
    let result: MigrateResult;
    try {
      const { spec, state } = await this.d.agents.export(cmd.name);
      result = { command_id: cmd.command_id, node: this.d.name, name: cmd.name, to: cmd.to, ok: true, spec, state, timestamp: Date.now() / 1000 };
      // Recorded before the agent is removed: a crash in between gives the same export again.
      this.d.processed.record(cmd.command_id, 'migrate', true, result);
      await this.d.agents.remove(cmd.name);
      this.log('info', `${cmd.name} exported for migration to ${cmd.to}`);
    } catch (e) {
      result = { command_id: cmd.command_id, node: this.d.name, name: cmd.name, to: cmd.to, ok: false, error: toError(e).message, timestamp: Date.now() / 1000 };
      this.d.processed.record(cmd.command_id, 'migrate', false, result);
      this.log('warning', `migrate ${cmd.name}: ${result.error}`);
    }
    this.d.bus.publish(nodeTopics.migrateResult(this.d.name), result, { qos: 1 });
    this.ack(cmd.command_id, 'migrate', result.ok, result.ok ? {} : { error: result.error ?? 'failed' });
    this.d.changed();
  }

  private async desired_state(raw: Buffer): Promise<void> {
    if (raw.length === 0) return;
    const desired = this.parse(desiredStateSchema, raw, 'desired_state');
    if (!desired) return;
    if (this.d.processed.has(desired.command_id)) return this.ack(desired.command_id, 'desired_state', true, { duplicate: true });
    const last = Number(this.d.processed.meta('desired_revision') ?? '-1');
    if (desired.revision < last) {
      this.log('debug', `desired state revision ${desired.revision} is older than ${last}: ignored`);
      return;
    }
    const wanted = new Set(desired.agents.map((a) => a.name));
    let failures = 0;
    for (const entry of desired.agents) {
      // Applied before (by its spawn command or an earlier snapshot): an agent removed here since
      // (moved away, deleted by hand) is not brought back by a stale snapshot.
      if (this.d.processed.has(entry.command_id)) continue;
      try {
        const outcome = await this.d.agents.apply(entry);
        this.d.processed.record(entry.command_id, 'spawn', true, outcome.action);
        if (outcome.action !== 'unchanged') this.log('info', `desired state: ${entry.name} ${outcome.action}`);
      } catch (e) {
        failures++;
        this.d.processed.record(entry.command_id, 'spawn', false, toError(e).message);
        this.log('warning', `desired state: ${entry.name} refused: ${toError(e).message}`);
      }
    }
    for (const n of this.d.agents.names()) {
      // Spawned by a command the hub issued after this snapshot was taken: the snapshot is stale for it.
      if (!wanted.has(n) && this.d.agents.issuedAt(n) <= desired.timestamp) {
        await this.d.agents.remove(n);
        this.log('info', `desired state: ${n} is not wanted here any more: removed`);
      }
    }
    this.d.processed.record(desired.command_id, 'desired_state', failures === 0);
    this.d.processed.setMeta('desired_revision', String(desired.revision));
    this.ack(desired.command_id, 'desired_state', failures === 0, failures ? { error: `${failures} agent(s) refused` } : {});
    this.d.changed();
  }

  private ack(commandId: string, kind: NodeCommandKind, ok: boolean, extra: { error?: string; duplicate?: boolean } = {}): void {
    const payload: CommandAck = { command_id: commandId, node: this.d.name, kind, ok, ...extra, timestamp: Date.now() / 1000 };
    this.d.bus.publish(nodeTopics.ack(this.d.name), payload, { qos: 1 });
  }

  private log(level: 'debug' | 'info' | 'warning' | 'error', message: string): void {
    this.d.log(level, message);
  }

  private parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, raw: Buffer, kind: NodeCommandKind): T | undefined {
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      this.log('warning', `${kind}: ignored a payload that is not JSON`);
      return undefined;
    }
    const r = schema.safeParse(json);
    if (r.success) return r.data;
    const why = r.error.issues.map((i) => `${i.path.join('.') || kind}: ${i.message}`).join('; ');
    this.log('warning', `${kind}: ignored an invalid command: ${why}`);
    const id = (json as { command_id?: unknown } | null)?.command_id;
    if (typeof id === 'string' && id) this.ack(id, kind, false, { error: `invalid ${kind} command: ${why}` });
    return undefined;
  }
}
