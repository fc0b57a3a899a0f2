/**
 * A node's command handlers, one per kind of the node protocol (protocol.ts). The runtime hands
 * them only commands whose signature and sequence number it checked (../trust/); each is
 * parsed (invalid → logged and, when it has an id, acknowledged as refused), applied once per
 * `command_id` (ProcessedCommands: a repeat is acknowledged as a duplicate with the first outcome),
 * and acknowledged on `nodes/{node}/ack` so the hub's outbox sends the next one. The runtime
 * (node-runtime.ts) calls `handle` one command at a time, in arrival order. What they publish is
 * signed by `send`. `rekey` stores the node's next key (stored before it is acknowledged, and the
 * acknowledgement is signed with it: that is how the hub learns the node has it).
 */
import { toError } from '../../core/errors.js';
import {
  desiredStateSchema,
  rekeyCommandSchema,
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
import type { NodeFleetKey } from '../trust/node-fleet-key.js';
import { unwrapFleetKey } from '../trust/fleet-mac.js';

export interface NodeCommandDeps {
  name: string;
  /** Signs and publishes (QoS 1) a message to the hub. */
  send(topic: string, body: Record<string, unknown>): void;
  /** The node's fleet key (rotated by `rekey`). */
  key: NodeFleetKey;
  agents: NodeAgents;
  processed: ProcessedCommands;
  /** After anything that changed which agents run here (serve their tasks, tell the hub). */
  changed(): void;
  log: (level: 'debug' | 'info' | 'warning' | 'error', message: string) => void;
}

export class NodeCommandHandlers {
  constructor(private readonly d: NodeCommandDeps) {}

  /** Applies one command (its payload, signature checked and removed); never throws for a bad payload. */
  handle(kind: NodeCommandKind, body: unknown): Promise<void> {
    // One method per kind, named like it.
    return this[kind](body);
  }

  private async spawn(raw: unknown): Promise<void> {
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

  private async stop(raw: unknown): Promise<void> {
    const cmd = this.parse(stopCommandSchema, raw, 'stop');
    if (!cmd) return;
    if (this.d.processed.has(cmd.command_id)) return this.ack(cmd.command_id, 'stop', true, { duplicate: true });
    const was = await this.d.agents.remove(cmd.name);
    this.d.processed.record(cmd.command_id, 'stop', true, was);
    this.log('info', was ? `stopped and removed ${cmd.name}` : `stop ${cmd.name}: it was not here`);
    this.ack(cmd.command_id, 'stop', true);
    this.d.changed();
  }

  private async stop_all(raw: unknown): Promise<void> {
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

  private async list(raw: unknown): Promise<void> {
    const cmd = this.parse(listCommandSchema, raw, 'list');
    if (!cmd) return;
    const reply: NodeAgentsPayload = { node: this.d.name, timestamp: Date.now() / 1000, ...(cmd.command_id ? { command_id: cmd.command_id } : {}), agents: this.d.agents.infos() };
    this.d.send(nodeTopics.agents(this.d.name), reply);
  }

  private async rekey(raw: unknown): Promise<void> {
    const cmd = this.parse(rekeyCommandSchema, raw, 'rekey');
    if (!cmd) return;
    if (this.d.processed.has(cmd.command_id)) return this.ack(cmd.command_id, 'rekey', true, { duplicate: true });
    const wrapping = this.d.key.find(cmd.wrap_kid);
    let error: string | undefined;
    if (!wrapping) error = `key ${cmd.wrap_kid} is not this node's`;
    else {
      try {
        await this.d.key.rotate(unwrapFleetKey(wrapping, cmd.kid, cmd.wrapped, this.d.name));
        this.log('info', `fleet key rotated: ${cmd.wrap_kid} → ${cmd.kid}`);
      } catch (e) {
        error = `the new key could not be read or stored: ${toError(e).message}`;
      }
    }
    if (error) this.log('warning', `rekey refused: ${error}`);
    this.d.processed.record(cmd.command_id, 'rekey', !error, null);
    this.ack(cmd.command_id, 'rekey', !error, error ? { error } : {});
  }

  private async migrate(raw: unknown): Promise<void> {
    const cmd = this.parse(migrateCommandSchema, raw, 'migrate');
    if (!cmd) return;
    const seen = this.d.processed.get(cmd.command_id);
    if (seen) {
      // The hub may have missed the result: the same export again, never a second one.
      if (seen.result && typeof seen.result === 'object') this.d.send(nodeTopics.migrateResult(this.d.name), seen.result as Record<string, unknown>);
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
    this.d.send(nodeTopics.migrateResult(this.d.name), result);
    this.ack(cmd.command_id, 'migrate', result.ok, result.ok ? {} : { error: result.error ?? 'failed' });
    this.d.changed();
  }

  private async desired_state(raw: unknown): Promise<void> {
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
    this.d.send(nodeTopics.ack(this.d.name), payload);
  }

  private log(level: 'debug' | 'info' | 'warning' | 'error', message: string): void {
    this.d.log(level, message);
  }

  private parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, json: unknown, kind: NodeCommandKind): T | undefined {
    const r = schema.safeParse(json);
    if (r.success) return r.data;
    const why = r.error.issues.map((i) => `${i.path.join('.') || kind}: ${i.message}`).join('; ');
    this.log('warning', `${kind}: ignored an invalid command: ${why}`);
    const id = (json as { command_id?: unknown } | null)?.command_id;
    if (typeof id === 'string' && id) this.ack(id, kind, false, { error: `invalid ${kind} command: ${why}` });
    return undefined;
  }
}
