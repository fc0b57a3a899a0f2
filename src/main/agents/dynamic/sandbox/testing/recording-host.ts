/**
 * An AgentHost for the sandbox's own tests and benches: an in-process topic bus with MQTT
 * wildcards, a per-agent key/value store, and a record of what the agent did. The real host (the
 * DynamicAgent actor over the hub's bus and persistence) is built on the same interface.
 */
import { topicMatches } from '../../../../../shared/topics.js';
import type { LogLevel } from '../../../../../shared/agent-api.js';
import type { AgentHost, HostFetchRequest, HostFetchResponse } from '../types.js';

export interface RecordingHostOptions {
  /** Shared between hosts of several agents to let them talk over topics. */
  bus?: LocalTopicBus;
  /** Answers `sendTo`. */
  peers?: Record<string, (payload: unknown) => unknown>;
  fetch?: (request: HostFetchRequest) => Promise<HostFetchResponse>;
  llm?: AgentHost['llm'];
}

export class LocalTopicBus {
  private readonly subs = new Set<{ pattern: string; handler: (topic: string, payload: unknown) => void }>();

  publish(topic: string, payload: unknown): void {
    for (const s of [...this.subs]) if (topicMatches(s.pattern, topic)) s.handler(topic, payload);
  }

  subscribe(pattern: string, handler: (topic: string, payload: unknown) => void): () => void {
    const entry = { pattern, handler };
    this.subs.add(entry);
    return () => this.subs.delete(entry);
  }

  get subscriptionCount(): number {
    return this.subs.size;
  }
}

export class RecordingHost implements AgentHost {
  readonly logs: { level: LogLevel; message: string }[] = [];
  readonly alerts: { message: string; severity: string }[] = [];
  readonly published: { topic: string; payload: unknown }[] = [];
  readonly store = new Map<string, unknown>();
  readonly savedStates: Record<string, unknown>[] = [];
  readonly bus: LocalTopicBus;
  readonly llm: AgentHost['llm'];
  readonly fetch: AgentHost['fetch'];

  constructor(private readonly options: RecordingHostOptions = {}) {
    this.bus = options.bus ?? new LocalTopicBus();
    this.llm = options.llm;
    this.fetch = options.fetch;
  }

  log(level: LogLevel, message: string): void {
    this.logs.push({ level, message });
  }
  alert(message: string, severity: string): void {
    this.alerts.push({ message, severity });
  }
  publish(topic: string, payload: unknown): void {
    this.published.push({ topic, payload });
    this.bus.publish(topic, payload);
  }
  subscribe(pattern: string, handler: (topic: string, payload: unknown) => void): () => void {
    return this.bus.subscribe(pattern, handler);
  }
  async sendTo(name: string, payload: unknown): Promise<unknown> {
    const peer = this.options.peers?.[name];
    if (!peer) throw Object.assign(new Error(`no actor named "${name}"`), { kind: 'not_found' });
    return peer(payload);
  }
  mqttGet(topic: string, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(null);
      }, timeoutMs);
      const off = this.bus.subscribe(topic, (_t, payload) => {
        clearTimeout(timer);
        off();
        resolve(payload);
      });
    });
  }
  async window(): Promise<[]> {
    return [];
  }
  async persist(key: string, value: unknown): Promise<void> {
    this.store.set(key, structuredClone(value));
  }
  async recall(key: string): Promise<unknown> {
    return this.store.get(key);
  }
  async agents(): Promise<{ name: string; actor_id: string; state: string }[]> {
    return [{ name: 'main', actor_id: 'main-id', state: 'running' }];
  }
  async topics(): Promise<{ topic: string }[]> {
    return [{ topic: 'io/chat' }];
  }
  saveState(state: Record<string, unknown>): void {
    this.savedStates.push(state);
  }

  get lastState(): Record<string, unknown> | undefined {
    return this.savedStates.at(-1);
  }
}
