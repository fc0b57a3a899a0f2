/**
 * Stand-ins for the DynamicAgents the planner writes around an ha_actuator (the original's
 * pipeline patterns), as real actors on the real bus: a state filter, a camera detector that is
 * fed scripted frames instead of a camera, and a timer.
 */
import type { Message } from '../../../../shared/message.js';
import { Actor } from '../../../core/actor.js';

/** Pattern 1/2's first agent: HA state change of one entity to one state → `custom/triggers/<slug>`. */
export class StateFilterActor extends Actor {
  constructor(
    name: string,
    private readonly entityId: string,
    private readonly wanted: string,
    private readonly triggerTopic: string,
  ) {
    super({ name, kind: 'dynamic' });
  }

  protected override onStart(): void {
    // The original's advice: always the wildcard, filter by entity_id in the payload.
    this.subscribe('homeassistant/state_changes/#', (_t, raw) => {
      const p = JSON.parse(raw.toString()) as { entity_id?: string; new_state?: { state?: string; attributes?: { friendly_name?: string } } | null };
      if (p.entity_id !== this.entityId || p.new_state?.state !== this.wanted) return;
      this.publish(this.triggerTopic, { triggered: true, entity: p.entity_id, state: p.new_state.state, name: p.new_state.attributes?.friendly_name ?? p.entity_id });
    });
  }
}

export interface ScriptedFrame {
  labels: string[];
  confidence: number;
}

/** Pattern 3/4's detector: each TASK `{labels, confidence}` is one analysed frame → `custom/detections/<slug>`. */
export class ScriptedDetectorActor extends Actor {
  constructor(
    name: string,
    private readonly target: string,
    private readonly detectionTopic: string,
  ) {
    super({ name, kind: 'dynamic' });
  }

  protected override handleTask(payload: unknown, _msg: Message): unknown {
    const frame = payload as ScriptedFrame;
    const detected = frame.labels.includes(this.target);
    const body = { detected, target: this.target, objects: frame.labels, confidence: detected ? frame.confidence : 0 };
    this.publish(this.detectionTopic, body);
    return body;
  }
}

/** Pattern 5's timer: publishes `{triggered: true}` every `everyMs`. */
export class TimerActor extends Actor {
  private timer: NodeJS.Timeout | undefined;
  ticks = 0;

  constructor(
    name: string,
    private readonly triggerTopic: string,
    private readonly everyMs: number,
  ) {
    super({ name, kind: 'dynamic' });
  }

  protected override onStart(): void {
    this.timer = setInterval(() => {
      this.ticks++;
      this.publish(this.triggerTopic, { triggered: true, fired_at: Date.now() / 1000, tick: this.ticks });
    }, this.everyMs);
  }

  protected override onStop(): void {
    clearInterval(this.timer);
  }
}
