// MQTTClient — the original dashboard's MQTT-over-WebSocket client (mqtt.js), typed events per
// topic pattern. Follows: frontend/src/mqtt/MQTTClient.ts (connect, subscribe "#", the topic
// routing and the normalise* functions: snake_case or camelCase keys, epoch seconds → ms).
import { coerceState, resolveAgentName, toMs } from './mapping.js';

const str = (v, fallback = '') => (typeof v === 'string' ? v : fallback);
const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function normaliseHeartbeat(o) {
  const agentId = str(o.agentId ?? o.actor_id ?? o.agent_id);
  const out = {
    agentId,
    agentName: resolveAgentName(str(o.agentName ?? o.name), agentId),
    state: coerceState(o.state),
    timestampMs: toMs(o.timestampMs ?? o.timestamp_ms ?? o.timestamp),
  };
  if (num(o.cpu) !== undefined) out.cpu = o.cpu;
  if (num(o.memory_mb) !== undefined) out.memory_mb = o.memory_mb;
  if (typeof o.task === 'string') out.task = o.task;
  if (typeof o.node === 'string') out.node = o.node;
  return out;
}

/** `to` defaults to "user" when absent. */
export function normaliseChat(o) {
  const timestampMs = toMs(o.timestampMs ?? o.timestamp_ms ?? o.timestamp);
  return { id: str(o.id) || `chat-${timestampMs}`, from: str(o.from ?? o.agentName ?? o.name), to: str(o.to) || 'user', content: str(o.content), timestampMs };
}

export function normaliseStatus(o) {
  const agentId = str(o.agentId ?? o.actor_id ?? o.agent_id);
  const out = {
    agentId,
    agentName: resolveAgentName(str(o.agentName ?? o.name), agentId),
    state: coerceState(o.state),
    messagesProcessed: num(o.messagesProcessed ?? o.messages_processed) ?? 0,
  };
  if (typeof o.protected === 'boolean') out.protected = o.protected;
  return out;
}

export function normaliseSpawn(o) {
  const agentId = str(o.agentId ?? o.actor_id ?? o.agent_id);
  return {
    agentId,
    agentName: resolveAgentName(str(o.agentName ?? o.name), agentId),
    agentType: str(o.agentType ?? o.agent_type),
    timestampMs: toMs(o.timestampMs ?? o.timestamp_ms ?? o.timestamp),
  };
}

export function normaliseAlert(o) {
  const agentId = str(o.agentId ?? o.actor_id ?? o.agent_id);
  return {
    agentId,
    agentName: resolveAgentName(str(o.agentName ?? o.name), agentId),
    severity: ['info', 'warning', 'error', 'critical'].includes(o.severity) ? o.severity : 'info',
    message: str(o.message),
    timestampMs: toMs(o.timestampMs ?? o.timestamp_ms ?? o.timestamp),
  };
}

export class MQTTClient {
  client = null;
  listeners = {};

  constructor(brokerUrl) {
    this.brokerUrl = brokerUrl;
  }

  connect() {
    // `mqtt` is mqtt.min.js's global (the original's bundle imports the same library).
    this.client = mqtt.connect(this.brokerUrl, { clientId: `wactorz-dashboard-${Math.random().toString(16).slice(2, 8)}`, keepalive: 30, reconnectPeriod: 2000 });
    this.client.on('connect', () => {
      this.client?.subscribe('#', { qos: 1 });
      this.emit('connected', undefined);
    });
    this.client.on('close', () => this.emit('disconnected', undefined));
    this.client.on('error', (err) => this.emit('error', err));
    this.client.on('message', (topic, raw) => this.handleMessage(topic, raw));
  }

  disconnect() {
    this.client?.end(true);
    this.client = null;
  }

  /** Publishes JSON; false when not connected. */
  publish(topic, payload) {
    if (!this.client?.connected) return false;
    this.client.publish(topic, JSON.stringify(payload), { qos: 1 });
    return true;
  }

  on(event, fn) {
    (this.listeners[event] ??= []).push(fn);
    return this;
  }

  emit(event, data) {
    for (const fn of this.listeners[event] ?? []) {
      try {
        fn(data);
      } catch (err) {
        console.warn(`[MQTT] listener error on "${event}":`, err);
      }
    }
  }

  handleMessage(topic, raw) {
    let p;
    try {
      p = JSON.parse(raw.toString());
    } catch {
      return;
    }
    if (p === null || typeof p !== 'object') return this.emit('raw', { topic, payload: p });
    if (/^agents\/.+\/heartbeat$/.test(topic)) this.emit('heartbeat', normaliseHeartbeat(p));
    else if (/^agents\/.+\/status$/.test(topic)) this.emit('status', normaliseStatus(p));
    else if (/^agents\/.+\/alert$/.test(topic)) this.emit('alert', normaliseAlert(p));
    else if (/^agents\/.+\/chat$/.test(topic)) this.emit('chat', normaliseChat(p));
    else if (/^agents\/.+\/spawn$/.test(topic) || topic === 'system/spawn') this.emit('spawn', normaliseSpawn(p));
    else if (topic === 'system/health') this.emit('system-health', p);
    else {
      const metrics = topic.match(/^agents\/(.+)\/metrics$/);
      if (metrics) {
        const id = metrics[1];
        return this.emit('metrics', { agentId: id, agentName: str(p.agentName ?? p.name) || id.slice(0, 8), costUsd: num(p.costUsd ?? p.cost_usd), messagesProcessed: num(p.messagesProcessed ?? p.messages_processed) });
      }
      const logs = topic.match(/^agents\/(.+)\/logs$/);
      if (logs) return this.emit('logs', { agentId: logs[1], agentName: str(p.agentName ?? p.name) || logs[1].slice(0, 8), message: p.message ?? p.text });
      const node = topic.match(/^nodes\/([^/]+)\/heartbeat$/);
      if (node) return this.emit('node-heartbeat', { node: node[1], agents: Array.isArray(p.agents) ? p.agents.filter((a) => typeof a === 'string') : [] });
      this.emit('raw', { topic, payload: p });
    }
  }
}
