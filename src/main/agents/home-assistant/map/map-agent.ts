/**
 * HomeAssistantMapAgent ('home-assistant-map-agent'), the original's built-in of that name: when
 * Home Assistant's entity registry changes it publishes the home map — devices with their area and
 * entities, the original's `home_assistant_map_update` payload (original-map-payload.ts) — on
 * `homeassistant/map/entities_with_location` (or HA_MAP_AGENT_OUTPUT_TOPIC), once at start too, and
 * answers the tasks `status`, `refresh` and `refresh simple` (without states) as it did.
 *
 * A payload above 4 KB goes out as the original chunked it, so its consumers can reassemble it: a
 * `home_assistant_map_update_chunked` header, then `home_assistant_map_update_chunk` messages with
 * base64 pieces of the JSON (map-chunks.ts). The map itself is the connection's HomeMap (the same
 * one `/ha-map` serves); this actor only announces it. HA_MAP_AGENT_TARGET_ACTOR (deliver to an
 * actor instead) is not supported: subscribers take it from the topic.
 */
import type { Message } from '../../../../shared/message.js';
import type { OriginalHaMapFields } from '../../../../shared/rest.js';
import { Actor } from '../../../core/actor.js';
import { TaskError, toError } from '../../../core/errors.js';
import type { HaConnection } from '../ha-connection.js';
import { mapMessages, MAP_MAX_PAYLOAD_BYTES } from './map-chunks.js';
import { originalMapPayload } from './original-map-payload.js';

export const HOME_ASSISTANT_MAP_AGENT_NAME = 'home-assistant-map-agent';
export const DEFAULT_MAP_TOPIC = 'homeassistant/map/entities_with_location';
const REGISTRY_EVENT = 'entity_registry_updated';
const COMMANDS = ['status', 'refresh', 'refresh simple'] as const;

export interface MapAgentDeps {
  connection: HaConnection | null;
  notConfiguredReason?: string;
  /** HA_MAP_AGENT_OUTPUT_TOPIC / HOME_ASSISTANT_MAP_OUTPUT_TOPIC. */
  env?: Record<string, string | undefined>;
  maxPayloadBytes?: number;
}

export function mapOutputTopic(env: Record<string, string | undefined> = {}): string {
  return (env.HA_MAP_AGENT_OUTPUT_TOPIC || env.HOME_ASSISTANT_MAP_OUTPUT_TOPIC || DEFAULT_MAP_TOPIC).trim();
}

export class HomeAssistantMapAgent extends Actor {
  private readonly topic: string;
  private readonly offs: Array<() => void> = [];
  private eventsSeen = 0;
  private lastEventAt = 0;
  private lastError = '';

  constructor(private readonly deps: MapAgentDeps) {
    const topic = mapOutputTopic(deps.env);
    super({
      name: HOME_ASSISTANT_MAP_AGENT_NAME,
      description: 'Publishes the Home Assistant device map (devices, areas, entities) when the entity registry changes.',
      capabilities: ['home_assistant_map'],
      publishes: [topic],
      inputSchema: { text: "'status' | 'refresh' | 'refresh simple'" },
    });
    this.topic = topic;
  }

  protected override onStart(): void {
    const conn = this.deps.connection;
    if (!conn) {
      this.lastError = this.deps.notConfiguredReason ?? 'Home Assistant is not configured';
      this.log('warning', `${this.lastError} — no map updates`);
      return;
    }
    conn.start();
    this.offs.push(
      conn.ws.subscribeEvents(REGISTRY_EVENT, (ev) => {
        this.eventsSeen++;
        this.lastEventAt = Date.now() / 1000;
        this.refresh({ event: (ev.data ?? {}) as Record<string, unknown>, announce: true }).catch((e: unknown) => this.failed(e));
      }),
    );
    this.refresh({ announce: true }).catch((e: unknown) => this.failed(e));
  }

  protected override onStop(): void {
    for (const off of this.offs.splice(0)) off();
  }

  private failed(e: unknown): void {
    this.lastError = toError(e).message;
    this.log('warning', `map refresh failed: ${this.lastError}`);
  }

  /** Reloads the map from HA, publishes it when `announce`, and returns the payload. */
  private async refresh(opts: { event?: Record<string, unknown>; announce: boolean; states?: boolean }): Promise<unknown> {
    const conn = this.deps.connection;
    if (!conn) throw new TaskError(this.lastError, 'unavailable');
    await conn.map.reload();
    const payload: OriginalHaMapFields = { ...originalMapPayload(conn.map.snapshot()), timestamp: Date.now() / 1000, event: opts.event ?? {} };
    this.lastError = '';
    if (opts.announce) for (const m of mapMessages(payload, this.deps.maxPayloadBytes ?? MAP_MAX_PAYLOAD_BYTES)) this.publish(this.topic, m);
    if (opts.states !== false) return payload;
    return { ...payload, devices: payload.devices.map((d) => ({ ...d, entities: d.entities.map(({ state: _s, attributes: _a, ...rest }) => rest) })) };
  }

  protected override handleTask(payload: unknown, _msg: Message): Promise<unknown> | unknown {
    const o = payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
    const raw = typeof payload === 'string' ? payload : (o.text ?? o.task ?? o.command ?? '');
    const command = String(raw).trim().toLowerCase();
    if (command === 'status') {
      return { configured: this.deps.connection !== null, event_type: REGISTRY_EVENT, events_seen: this.eventsSeen, last_event_at: this.lastEventAt, last_error: this.lastError, output_topic: this.topic, target_actor_name: '' };
    }
    if (command === 'refresh') return this.refresh({ announce: false });
    if (command === 'refresh simple') return this.refresh({ announce: false, states: false });
    throw new TaskError(`Unsupported command. Use ${COMMANDS.map((c) => `'${c}'`).join(', ')}.`, 'bad_input');
  }

  override heartbeatExtras(): Record<string, unknown> {
    return { task: this.lastError ? `waiting for HA events (error: ${this.lastError})` : `watching ${REGISTRY_EVENT} (${this.eventsSeen} seen)` };
  }
}
