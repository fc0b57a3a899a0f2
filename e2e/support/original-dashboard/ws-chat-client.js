// WSChatClient — the original dashboard's client for the monitor's /ws.
// Follows: frontend/src/io/WSChatClient.ts (the version with delete_agent, `agent_name` on chat
// frames and a fixed 3 s reconnect). What it reads: `config` (chat_mode), `delete_agent`, any frame
// with `state` (a state patch; it may also carry chat), then `chat`, `stream_chunk`, `stream_end`
// by `type`, with `from` (always "io-gateway") as the sender. Frames it does not know are ignored.

export class WSChatClient {
  ws = null;
  _chatMode = 'mqtt';
  _onChat = null;
  _onStreamChunk = null;
  _onStreamEnd = null;
  _onMode = null;
  _onStatePatch = null;
  _reconnectTimer = null;
  _url = '';
  _closed = false;

  get chatMode() {
    return this._chatMode;
  }

  get connected() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  onChat(fn) { this._onChat = fn; }
  onStreamChunk(fn) { this._onStreamChunk = fn; }
  onStreamEnd(fn) { this._onStreamEnd = fn; }
  onMode(fn) { this._onMode = fn; }
  onStatePatch(fn) { this._onStatePatch = fn; }

  connect(url) {
    this._url = url;
    this._closed = false;
    this._open();
  }

  disconnect() {
    this._closed = true;
    if (this._reconnectTimer !== null) clearTimeout(this._reconnectTimer);
    this._reconnectTimer = null;
    this.ws?.close();
    this.ws = null;
  }

  /** A chat message; false when the socket is not open. */
  send(content, agentName = 'main-actor') {
    if (!this.connected) return false;
    this.ws.send(JSON.stringify({ type: 'chat', content, agent_name: agentName }));
    return true;
  }

  /** Any JSON frame (the card buttons' commands); false when the socket is not open. */
  sendRaw(msg) {
    if (!this.connected) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  _open() {
    try {
      this.ws = new WebSocket(this._url);
    } catch (err) {
      console.warn('[WSChat] Cannot open WebSocket:', err);
      this._scheduleReconnect();
      return;
    }
    this.ws.addEventListener('open', () => console.info('[WSChat] connected →', this._url));
    this.ws.addEventListener('message', (ev) => {
      let data;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (data.type === 'config') {
        this._chatMode = data.chat_mode === 'direct_ws' ? 'direct_ws' : 'mqtt';
        this._onMode?.(this._chatMode);
        return;
      }
      if (data.type === 'delete_agent') {
        this._onStatePatch?.(data.state?.agents ?? [], String(data.agent_id ?? ''));
        return;
      }
      if (data.state) this._onStatePatch?.(data.state.agents ?? []); // may also carry chat: go on
      const from = String(data.from ?? 'io-gateway');
      const rawTs = data.timestamp;
      const ts = rawTs ? (rawTs < 1e10 ? rawTs * 1000 : rawTs) : Date.now();
      if (data.type === 'chat') this._onChat?.(String(data.content ?? ''), from, ts);
      else if (data.type === 'stream_chunk') this._onStreamChunk?.(String(data.content ?? ''), from, ts);
      else if (data.type === 'stream_end') this._onStreamEnd?.(from);
    });
    this.ws.addEventListener('close', () => {
      if (!this._closed) this._scheduleReconnect();
    });
  }

  _scheduleReconnect() {
    if (this._closed || this._reconnectTimer !== null) return;
    this._reconnectTimer = setTimeout(() => {
      this._reconnectTimer = null;
      this._open();
    }, 3000);
  }
}
