// The original dashboard's entry point: wires MQTT and /ws events into the card dashboard.
// Follows: frontend/src/main.ts (the card-dashboard version with WSChatClient): same-origin URLs
// (`${proto}//${location.host}/mqtt` and `/ws`, `/api/…` relative), the REST seed on MQTT connect
// and every 15 s, heartbeats / spawns / status / chat / metrics from MQTT, state patches and
// deletes from /ws, card buttons sent as `{type: "command", command, agent_id}` over /ws, a chat
// send through IOManager (which prefixes the chosen agent as `@name`).
import { CardDashboard } from './card-dashboard.js';
import { IOManager } from './io-manager.js';
import { resolveAgentName, toAgentInfo } from './mapping.js';
import { MQTTClient } from './mqtt-client.js';
import { WSChatClient } from './ws-chat-client.js';

const emit = (name, detail) => document.dispatchEvent(new CustomEvent(name, { detail }));
const listen = (name, fn) => document.addEventListener(name, (e) => fn(e.detail));

const wsProto = location.protocol === 'https:' ? 'wss:' : 'ws:';
const wsBase = `${wsProto}//${location.host}`;

const dashboard = new CardDashboard(document.body);
const mqtt = new MQTTClient(`${wsBase}/mqtt`);
const ioManager = new IOManager(mqtt);
const wsChat = new WSChatClient();
// Deleted from this page: a late heartbeat or status must not bring the card back.
const deletedAgentIds = new Set();

function pushFeed(item) {
  emit('af-feed-push', { item });
}

/** GET /api/actors → the card list (main.ts: refreshLiveActors). */
function refreshLiveActors() {
  fetch('/api/actors')
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
    .then((actors) => {
      const live = new Set(actors.map((a) => a.id));
      for (const a of dashboard.getAgents()) if (!live.has(a.id)) dashboard.removeAgent(a.id);
      for (const a of actors) {
        if (deletedAgentIds.has(a.id)) continue;
        dashboard.addOrUpdateAgent({ ...a, name: resolveAgentName(a.name, a.id) });
      }
    })
    .catch(() => {});
}

// ── /ws ───────────────────────────────────────────────────────────────────────

// Non-streamed replies (slash commands, one-shot agent answers, errors).
wsChat.onChat((content, from, timestampMs) => {
  const msg = { id: `ws-${timestampMs}`, from, to: 'user', content, timestampMs };
  ioManager.receiveAgentMessage(msg);
  dashboard.onChat(from, 'user');
  pushFeed({ type: 'chat', label: content.slice(0, 60), agentName: from, timestamp: timestampMs });
  emit('af-chat-message', { msg });
});
ioManager.setWSClient(wsChat);
// State patches: how pause/stop/resume reach the cards without polling.
wsChat.onStatePatch((agents, deletedId) => {
  if (deletedId) {
    deletedAgentIds.add(deletedId);
    dashboard.removeAgent(deletedId);
  }
  for (const a of agents) {
    if (!a.agent_id || deletedAgentIds.has(a.agent_id)) continue;
    dashboard.addOrUpdateAgent(toAgentInfo(a));
  }
});
wsChat.connect(`${wsBase}/ws`);
refreshLiveActors();
setInterval(refreshLiveActors, 15_000);

// Backend config seeds the HA settings (the MQTT URL is always same-origin).
fetch('/api/config')
  .then((r) => (r.ok ? r.json() : null))
  .then((cfg) => {
    if (cfg?.ha?.url && !localStorage.getItem('wactorz-ha-url')) localStorage.setItem('wactorz-ha-url', cfg.ha.url);
  })
  .catch(() => {});

// ── MQTT ──────────────────────────────────────────────────────────────────────

mqtt.on('heartbeat', (p) => {
  if (deletedAgentIds.has(p.agentId)) return;
  if (!dashboard.agents.has(p.agentId)) dashboard.addOrUpdateAgent({ id: p.agentId, name: p.agentName, state: p.state, protected: false });
  dashboard.onHeartbeat(p.agentId, p.timestampMs);
  pushFeed({ type: 'heartbeat', label: 'heartbeat', agentName: p.agentName, timestamp: p.timestampMs });
});

mqtt.on('spawn', (p) => {
  if (deletedAgentIds.has(p.agentId)) return;
  if (!dashboard.agents.has(p.agentId)) dashboard.addOrUpdateAgent({ id: p.agentId, name: p.agentName, state: 'running', protected: false });
  pushFeed({ type: 'spawn', label: `spawned (${p.agentType || 'agent'})`, agentName: p.agentName, timestamp: p.timestampMs });
});

mqtt.on('alert', (p) => {
  pushFeed({ type: p.severity === 'error' ? 'alert-error' : 'alert-warning', label: p.message, agentName: p.agentName, timestamp: p.timestampMs });
});

mqtt.on('chat', (msg) => {
  ioManager.receiveAgentMessage(msg);
  dashboard.onChat(msg.from, msg.to);
  emit('af-chat-message', { msg });
  pushFeed({ type: 'chat', label: `→ ${msg.to}: ${msg.content.slice(0, 40)}${msg.content.length > 40 ? '…' : ''}`, agentName: msg.from, timestamp: msg.timestampMs });
});

mqtt.on('status', (p) => {
  if (deletedAgentIds.has(p.agentId)) return;
  dashboard.addOrUpdateAgent({ id: p.agentId, name: p.agentName, state: p.state, protected: p.protected ?? false, messagesProcessed: p.messagesProcessed });
  if (p.state === 'stopped') pushFeed({ type: 'stopped', label: 'stopped', agentName: p.agentName, timestamp: Date.now() });
});

mqtt.on('metrics', (p) => {
  const existing = dashboard.agents.get(p.agentId);
  if (!existing) return;
  const update = { id: p.agentId, name: existing.name };
  if (p.messagesProcessed !== undefined) update.messagesProcessed = p.messagesProcessed;
  if (p.costUsd !== undefined) update.costUsd = p.costUsd;
  dashboard.addOrUpdateAgent(update);
});

mqtt.on('logs', (p) => {
  if (p.message) pushFeed({ type: 'chat', label: String(p.message).slice(0, 80), agentName: p.agentName, timestamp: Date.now() });
});

mqtt.on('node-heartbeat', (p) => {
  pushFeed({ type: 'health', label: `node online · ${p.agents.length} agent${p.agents.length !== 1 ? 's' : ''}`, agentName: p.node, timestamp: Date.now() });
});

// Seed once: startup spawns were published before the browser connected.
let seeded = false;
mqtt.on('connected', () => {
  emit('af-connection-status', { status: 'live' });
  if (seeded) return;
  seeded = true;
  refreshLiveActors();
});
mqtt.on('disconnected', () => emit('af-connection-status', { status: 'demo' }));

// ── the card dashboard's events ───────────────────────────────────────────────

// Card buttons → /ws. A deleted card goes at once (the WS patch confirms it).
listen('af-agent-command', ({ command, agentId }) => {
  if (command === 'delete') {
    deletedAgentIds.add(agentId);
    dashboard.removeAgent(agentId);
  }
  wsChat.sendRaw({ type: 'command', command, agent_id: agentId });
});

// The chat bar → IOManager (`@name` for a chosen agent).
listen('af-send-message', ({ content, target }) => {
  const agent = dashboard.getAgents().find((a) => a.name === target) ?? null;
  ioManager.send(content, agent);
});

mqtt.connect();
window.addEventListener('beforeunload', () => {
  mqtt.disconnect();
  wsChat.disconnect();
});
