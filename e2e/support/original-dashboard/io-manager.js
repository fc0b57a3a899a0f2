// IOManager — routes what the user types to the hub and surfaces streamed replies.
// Follows: frontend/src/io/IOManager.ts — send(): a selected agent's name is prefixed as `@name`
// (so main's own card sends `@main …`), no agent means the default target "main-actor" and the
// text goes as typed; in direct_ws mode the message goes over /ws only ("falling back would let
// IOAgent pick up the message and double-handle it"), otherwise it is published on io/chat.
// Streamed replies become the af-stream-chunk / af-stream-end events the card dashboard renders
// (the floating ChatPanel of that version, hidden behind the card dashboard, is left out).

const emit = (name, detail) => document.dispatchEvent(new CustomEvent(name, { detail }));

export class IOManager {
  _ws = null;
  _streamText = '';
  _lastStreamFrom = '';

  constructor(mqtt) {
    this.mqtt = mqtt;
  }

  setWSClient(ws) {
    this._ws = ws;
    ws.onStreamChunk((chunk, from) => {
      this._lastStreamFrom = from;
      this._streamText += chunk;
      emit('af-stream-chunk', { chunk, from });
    });
    ws.onStreamEnd(() => {
      const text = this._streamText;
      const from = this._lastStreamFrom || 'main-actor';
      this._streamText = '';
      emit('af-stream-end', { text, from });
    });
  }

  send(text, agent) {
    let content = text;
    if (agent && !text.startsWith('@')) content = `@${agent.name} ${text}`;
    const msg = { id: `user-${Date.now()}`, from: 'user', to: agent?.name ?? 'main-actor', content: text, timestampMs: Date.now() };
    if (this._ws?.chatMode === 'direct_ws') {
      if (!this._ws.send(content)) this._system('⚠ WebSocket disconnected — reconnecting, please retry.', 300);
      return;
    }
    const published = this.mqtt.publish('io/chat', { id: msg.id, from: 'user', to: msg.to, content, timestampMs: msg.timestampMs });
    if (!published) this._system('⚠ Not connected — start the backend', 800);
  }

  /** Only user-directed replies; agent-to-agent chatter is not the user's. */
  receiveAgentMessage(msg) {
    if (msg.to && msg.to !== 'user') return false;
    return true;
  }

  _system(content, delayMs) {
    setTimeout(() => emit('af-chat-message', { msg: { id: `sys-${Date.now()}`, from: 'system', to: 'user', content, timestampMs: Date.now() } }), delayMs);
  }
}
