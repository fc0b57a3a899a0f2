/**
 * The `ha_actuator` agent: one per automation. Subscribes to its MQTT topics (typically
 * `custom/triggers/<slug>` `{triggered: true}` from a filter or timer agent, or
 * `custom/detections/<slug>` `{detected, …}` from a detector), and for each message:
 * detection_filter → cooldown → HA conditions → the HA service calls, in that order, one message
 * at a time. Each actuation is published on `agents/{id}/actuations`.
 *
 * Conditions fail closed: when HA cannot be asked, nothing is actuated (an unlock must not happen
 * because the sun's state could not be read).
 */
import type { Message } from '../../../../shared/message.js';
import { Actor } from '../../../core/actor.js';
import { TaskError } from '../../../core/errors.js';
import { HaTaskRunner } from '../agent/ha-task-runner.js';
import type { HaConnection } from '../ha-connection.js';
import { evaluateCondition, matchesFilter, substitutePayload } from './actuator-logic.js';
import { type HaActuatorSpec, actuatorName, parseActuatorSpec } from './actuator-spec.js';

export interface HaActuatorDeps {
  connection: HaConnection | null;
  notConfiguredReason?: string;
  /** Epoch seconds (tests may pass a clock). */
  now?: () => number;
}

export type ActuationOutcome =
  | { outcome: 'fired'; actions: Array<{ service: string; entity_id: string[]; ok: boolean; error?: string; skipped?: string }> }
  | { outcome: 'filtered' | 'cooldown' | 'conditions_not_met' | 'not_configured' | 'invalid_payload'; reason: string };

interface Persisted {
  last_actuation_time: number;
  actuations_count: number;
}

export class HaActuatorAgent extends Actor {
  private lastActuation = 0;
  private actuations = 0;
  private readonly skipped = { filtered: 0, cooldown: 0, conditions_not_met: 0, invalid_payload: 0 };
  private failedCalls = 0;
  private lastError = '';
  /** One message at a time: a cooldown must see the previous actuation's timestamp. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(
    readonly spec: HaActuatorSpec,
    private readonly deps: HaActuatorDeps,
  ) {
    super({
      name: actuatorName(spec),
      kind: 'dynamic',
      description: spec.description || `Calls Home Assistant (${spec.actions.map((a) => `${a.domain}.${a.service}`).join(', ')}) when ${spec.mqtt_topics.join(', ')} fires`,
      capabilities: ['ha_actuator'],
      publishes: [],
      inputSchema: { payload: 'a trigger or detection payload (JSON object) on the subscribed topics', task: "'status' or {action:'trigger', payload}" },
    });
    this.now = deps.now ?? (() => Date.now() / 1000);
  }

  protected override async onStart(): Promise<void> {
    const saved = await this.recall<Persisted>('actuator_state').catch(() => undefined);
    if (saved) {
      this.lastActuation = saved.last_actuation_time ?? 0;
      this.actuations = saved.actuations_count ?? 0;
    }
    this.deps.connection?.start();
    if (!this.deps.connection) this.log('warning', `${this.deps.notConfiguredReason ?? 'Home Assistant is not configured'} — ${this.name} will not actuate`);
    for (const topic of this.spec.mqtt_topics) {
      this.subscribe(topic, (t, raw) => this.onMessage(t, raw));
    }
    this.currentTask = `listening on ${this.spec.mqtt_topics.join(', ')}`;
    this.log('info', `listening on ${this.spec.mqtt_topics.join(', ')}: ${this.spec.actions.length} action(s), ${this.spec.conditions.length} condition(s), cooldown ${this.spec.cooldown_seconds} s`);
  }

  protected override async onStop(): Promise<void> {
    await this.chain.catch(() => undefined);
    await this.save();
  }

  protected override async handleTask(payload: unknown, _msg: Message): Promise<unknown> {
    const p = payload as Record<string, unknown> | string | undefined;
    const command = typeof p === 'string' ? p : (p?.action ?? p?.command);
    if (command === 'status' || command === undefined) return this.status();
    if (command === 'trigger') {
      const body = typeof p === 'object' && p?.payload && typeof p.payload === 'object' ? (p.payload as Record<string, unknown>) : { triggered: true };
      return this.enqueue('(manual)', body);
    }
    throw new TaskError(`${this.name} understands 'status' and {"action":"trigger","payload":{…}}`, 'bad_input');
  }

  status(): Record<string, unknown> {
    return {
      result: `${this.name}: ${this.actuations} actuation(s) on ${this.spec.mqtt_topics.join(', ')}${this.lastError ? ` (last error: ${this.lastError})` : ''}`,
      automation_id: this.spec.automation_id,
      description: this.spec.description,
      mqtt_topics: this.spec.mqtt_topics,
      actions: this.spec.actions,
      conditions: this.spec.conditions,
      detection_filter: this.spec.detection_filter,
      cooldown_seconds: this.spec.cooldown_seconds,
      actuations_count: this.actuations,
      last_actuation_time: this.lastActuation,
      skipped: { ...this.skipped },
      failed_calls: this.failedCalls,
      last_error: this.lastError,
      ha_connected: this.deps.connection?.connected ?? false,
    };
  }

  private onMessage(topic: string, raw: Buffer): void {
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      this.skipped.invalid_payload++;
      this.log('warning', `dropped a message on ${topic} that is not JSON: ${raw.toString('utf8').slice(0, 80)}`);
      return;
    }
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
      this.skipped.invalid_payload++;
      this.log('warning', `dropped a message on ${topic} that is not a JSON object`);
      return;
    }
    void this.enqueue(topic, payload as Record<string, unknown>);
  }

  private enqueue(topic: string, payload: Record<string, unknown>): Promise<ActuationOutcome> {
    const run = this.chain.then(() => this.process(topic, payload));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async process(topic: string, payload: Record<string, unknown>): Promise<ActuationOutcome> {
    if (this.state !== 'running' && this.state !== 'starting') return { outcome: 'filtered', reason: `${this.name} is ${this.state}` };
    if (!matchesFilter(this.spec.detection_filter, payload)) {
      this.skipped.filtered++;
      return { outcome: 'filtered', reason: 'the payload does not match detection_filter' };
    }
    const now = this.now();
    const since = now - this.lastActuation;
    if (this.lastActuation > 0 && since < this.spec.cooldown_seconds) {
      this.skipped.cooldown++;
      this.log('debug', `cooldown: last actuation ${since.toFixed(1)} s ago (< ${this.spec.cooldown_seconds} s)`);
      return { outcome: 'cooldown', reason: `cooling down for ${(this.spec.cooldown_seconds - since).toFixed(1)} s more` };
    }
    const conn = this.deps.connection;
    if (!conn) return { outcome: 'not_configured', reason: this.deps.notConfiguredReason ?? 'Home Assistant is not configured' };

    for (const c of this.spec.conditions) {
      let ok: boolean;
      try {
        ok = evaluateCondition(c, await conn.getState(c.entity_id));
      } catch (e) {
        this.lastError = `condition on ${c.entity_id} could not be checked: ${(e as Error).message}`;
        this.log('warning', `${this.lastError} — not actuating`);
        ok = false;
      }
      if (!ok) {
        this.skipped.conditions_not_met++;
        return { outcome: 'conditions_not_met', reason: `${c.entity_id} ${c.attribute} ${c.operator} ${JSON.stringify(c.value)} does not hold` };
      }
    }

    // The actuation counts from here: a failing action must not let the next message fire at once.
    this.lastActuation = now;
    this.actuations++;
    const runner = new HaTaskRunner(conn);
    const results: Extract<ActuationOutcome, { outcome: 'fired' }>['actions'] = [];
    for (const a of this.spec.actions) {
      const entityIds = a.entity_id === undefined ? [] : Array.isArray(a.entity_id) ? a.entity_id : [a.entity_id];
      const service = `${a.domain}.${a.service}`;
      const data = substitutePayload(a.service_data, payload);
      if (!data.ok) {
        const why = `the trigger payload has no ${data.missing.join(', ')}`;
        this.log('warning', `skipped ${service}: ${why}`);
        results.push({ service, entity_id: entityIds, ok: false, skipped: why });
        continue;
      }
      try {
        await runner.callService({ domain: a.domain, service: a.service, entityIds, data: data.data });
        results.push({ service, entity_id: entityIds, ok: true });
        this.log('info', `called ${service}${entityIds.length ? ` on ${entityIds.join(', ')}` : ''} (trigger on ${topic})`);
      } catch (e) {
        this.failedCalls++;
        this.counters.tasksFailed++;
        this.lastError = `${service}: ${(e as Error).message}`;
        this.log('error', `service call failed — ${this.lastError}`);
        results.push({ service, entity_id: entityIds, ok: false, error: (e as Error).message });
      }
    }
    this.counters.tasksCompleted++;
    this.publish(`agents/${this.actorId}/actuations`, {
      automation_id: this.spec.automation_id,
      actor: this.name,
      topic,
      actions: results,
      trigger_payload: payload,
      timestamp: now,
    });
    await this.save();
    return { outcome: 'fired', actions: results };
  }

  private async save(): Promise<void> {
    try {
      await this.persist('actuator_state', { last_actuation_time: this.lastActuation, actuations_count: this.actuations } satisfies Persisted);
    } catch (e) {
      this.log('warning', `could not save actuator state: ${(e as Error).message}`);
    }
  }
}

/**
 * Builds an actuator from a `<spawn>` spec (type ha_actuator) for MainActor / the planner to spawn:
 * `system.spawn(createHaActuator(spec, { connection }))`. Throws TaskError kind `bad_input` listing
 * every problem when the spec is invalid.
 */
export function createHaActuator(spec: unknown, deps: HaActuatorDeps): HaActuatorAgent {
  const parsed = parseActuatorSpec(spec);
  if (!parsed.ok) throw new TaskError(parsed.error, 'bad_input');
  return new HaActuatorAgent(parsed.spec, deps);
}
