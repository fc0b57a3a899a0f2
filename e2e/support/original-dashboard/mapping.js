// Pure helpers the original dashboard applies to what the hub sends.
// Follows: frontend/src/agents/naming.ts (nameFromWid, resolveAgentName),
//          frontend/src/mqtt/MQTTClient.ts (toMs, coerceState),
//          frontend/src/main.ts (the WS state-patch → AgentInfo mapping).

/** A display name from a WID-style id ("…Z-name-abc123"), else the raw value. */
export function nameFromWid(raw) {
  const m = String(raw ?? '').match(/Z-(.+?)(?:-[0-9a-f]{6})?$/i);
  return m?.[1] ?? raw;
}

/** The name the backend sent, unless it is empty or only digits (then the id's). */
export function resolveAgentName(name, id) {
  const n = (name ?? '').trim();
  return !n || /^\d+$/.test(n) ? nameFromWid(id) : nameFromWid(n);
}

/** Python's time.time() is seconds (< 1e10); JS Date.now() is ms. */
export function toMs(raw) {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) return Date.now();
  return n < 1e10 ? n * 1000 : n;
}

/** Only the four states the dashboard draws; anything else shows as running. */
export function coerceState(v) {
  return v === 'initializing' || v === 'running' || v === 'paused' || v === 'stopped' ? v : 'running';
}

/** One agent of a WS state patch as the dashboard's AgentInfo (main.ts: wsChat.onStatePatch). */
export function toAgentInfo(a) {
  const rawState = a.state ?? a.status ?? 'running';
  const state = rawState === 'paused' ? 'paused' : rawState === 'stopped' ? 'stopped' : rawState === 'initializing' ? 'initializing' : 'running';
  const update = { id: a.agent_id, name: resolveAgentName(a.name, a.agent_id), state, protected: a.protected ?? false };
  if (a.messages_processed != null) update.messagesProcessed = a.messages_processed;
  if (a.cost_usd != null) update.costUsd = a.cost_usd;
  if (a.uptime != null) update.uptime = a.uptime;
  if (a.cpu != null) update.cpu = a.cpu;
  if (a.mem != null) update.mem = a.mem;
  if (a.task != null) update.task = a.task;
  if (a.agent_type != null) update.agentType = a.agent_type;
  return update;
}
