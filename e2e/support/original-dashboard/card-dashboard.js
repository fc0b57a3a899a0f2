// CardDashboard — the original dashboard's card view: overview (stat cards + a card per agent with
// its heartbeat time and Chat / Pause / Resume / Stop / Delete buttons), the activity feed, and the
// chat (a thread per target, the target select and input bar).
// Follows: frontend/src/ui/CardDashboard.ts — the same class names and data attributes, the same
// rules: buttons by state (Pause when running, Resume when paused, Stop/Delete unless protected,
// Chat hidden when stopped); a button press is an `af-agent-command` event (main.js sends it over
// /ws); a chat send shows the user's message at once and fires `af-send-message`; a message from
// "io-gateway" or "system" is filed under the target the user is looking at, any other under its
// sender (`_msgBelongsHere`); a streamed reply grows one bubble in the open thread. Left out: the
// sidebar agent list, the Home Assistant view, the nodes panel, animations.

/** The chat target when the user picked no agent (IOManager: `agent?.name ?? "main-actor"`). */
const DEFAULT_TARGET = 'main-actor';
const STATE_COLOR = { running: '#34d399', paused: '#fbbf24', initializing: '#60a5fa', stopped: '#4b5563' };
const stateLabel = (state) => (typeof state === 'object' ? 'failed' : state);
const stateColor = (state) => (typeof state === 'object' ? '#f87171' : (STATE_COLOR[state] ?? '#34d399'));
const emit = (name, detail) => document.dispatchEvent(new CustomEvent(name, { detail }));

function relTime(ms) {
  const s = Math.round((Date.now() - ms) / 1000);
  if (s < 5) return 'now';
  if (s < 60) return `${s}s ago`;
  return `${Math.floor(s / 60)}m ago`;
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class CardDashboard {
  agents = new Map();
  lastHb = new Map();
  feedItems = [];
  chatMessages = [];
  chatTarget = DEFAULT_TARGET;
  view = 'overview';
  connState = 'connecting';
  _streamRow = null;
  _streamBody = null;
  _streamFrom = null;
  _streamText = '';

  constructor(parent) {
    this.root = el('div', 'cd-root');
    this.root.append(this._buildHeader(), el('div', 'af-body'), this._buildIobar());
    parent.appendChild(this.root);
    this._wireEvents();
    this._renderView();
    setInterval(() => this._refreshTimestamps(), 5000);
  }

  getAgents() {
    return [...this.agents.values()];
  }

  addOrUpdateAgent(agent) {
    const prev = this.agents.get(agent.id);
    const next = { ...prev, ...agent };
    this.agents.set(agent.id, next);
    if (!prev && this.view === 'overview') this._renderCards();
    else this._patchCard(next);
    this._renderStats();
    this._renderHealth();
    this._updateTargetSelect();
  }

  removeAgent(id) {
    this.agents.delete(id);
    this.root.querySelector(`[data-id="${CSS.escape(id)}"]`)?.remove();
    this._renderStats();
    this._renderHealth();
    this._updateTargetSelect();
  }

  onHeartbeat(agentId, timestampMs) {
    this.lastHb.set(agentId, timestampMs);
    const hb = this.root.querySelector(`[data-id="${CSS.escape(agentId)}"] .af-card-hb-time`);
    if (hb) hb.textContent = relTime(timestampMs);
  }

  onChat(fromId) {
    const card = this.root.querySelector(`[data-id="${CSS.escape(fromId)}"]`);
    card?.classList.add('af-card-chat-flash');
  }

  setView(v) {
    if (v === 'chat') this._syncChatTarget();
    this.view = v;
    this._renderView();
  }

  // ── events ────────────────────────────────────────────────────────────────

  _wireEvents() {
    document.addEventListener('af-feed-push', (e) => {
      const item = e.detail.item;
      this.feedItems.push(item);
      if (this.feedItems.length > 200) this.feedItems.shift();
      if (this.view === 'feed') this._feedItemEl(this.root.querySelector('#af-feed-view'), item);
      this._renderStats();
    });
    document.addEventListener('af-chat-message', (e) => {
      const msg = e.detail.msg;
      // io-gateway / system replies belong to the thread the user sent from.
      const stored = msg.from === 'io-gateway' || msg.from === 'system' ? { ...msg, to: this.chatTarget } : msg;
      this.chatMessages.push(stored);
      if (this.chatMessages.length > 200) this.chatMessages.shift();
      if (this.view === 'chat' && this._msgBelongsHere(stored)) this._appendChatMsgEl(stored);
    });
    document.addEventListener('af-stream-chunk', (e) => {
      if (this.view !== 'chat') return;
      const { chunk, from } = e.detail;
      if (!this._streamRow) {
        this._streamFrom = from;
        this._streamText = '';
        const thread = this.root.querySelector('.af-chat-thread');
        if (!thread) return;
        const row = el('div', 'af-chat-msg af-chat-msg-agent');
        const bubble = el('div', 'af-chat-msg-bubble');
        row.append(el('div', 'af-chat-msg-from', from), bubble);
        thread.appendChild(row);
        this._streamRow = row;
        this._streamBody = bubble;
      }
      this._streamText += chunk;
      this._streamBody.textContent = this._streamText;
    });
    document.addEventListener('af-stream-end', () => {
      if (this._streamFrom && this._streamText) {
        this.chatMessages.push({ id: `stream-${Date.now()}`, from: this._streamFrom, to: this.chatTarget, content: this._streamText, timestampMs: Date.now() });
      }
      this._streamRow = this._streamBody = this._streamFrom = null;
      this._streamText = '';
    });
    document.addEventListener('af-connection-status', (e) => {
      this.connState = e.detail.status;
      this._renderConnBadge();
    });
  }

  // ── header, views ─────────────────────────────────────────────────────────

  _buildHeader() {
    const h = el('div', 'af-header');
    h.append(el('span', 'af-conn-badge'), el('span', 'af-health'));
    for (const v of ['overview', 'feed', 'chat']) {
      const b = el('button', 'af-view-btn', v[0].toUpperCase() + v.slice(1));
      b.dataset.view = v;
      b.addEventListener('click', () => this.setView(v));
      h.appendChild(b);
    }
    return h;
  }

  _renderView() {
    const body = this.root.querySelector('.af-body');
    body.innerHTML = '';
    this._streamRow = this._streamBody = null;
    if (this.view === 'overview') body.appendChild(this._buildOverview());
    else if (this.view === 'feed') body.appendChild(this._buildFeedView());
    else body.appendChild(this._buildChatView());
    this.root.querySelectorAll('.af-view-btn[data-view]').forEach((b) => b.classList.toggle('active', b.dataset.view === this.view));
    this._renderConnBadge();
    this._renderHealth();
    this._updateTargetSelect();
  }

  /** A live agent as the chat target: "main" or "main-actor" first (CardDashboard._syncChatTarget). */
  _syncChatTarget() {
    const agents = this.getAgents();
    if (this.chatTarget === DEFAULT_TARGET || !agents.length || agents.some((a) => a.name === this.chatTarget)) return;
    const main = agents.find((a) => a.name === 'main' || a.name === 'main-actor');
    this.chatTarget = main?.name ?? [...agents].sort((a, b) => a.name.localeCompare(b.name))[0]?.name ?? this.chatTarget;
  }

  _renderConnBadge() {
    const badge = this.root.querySelector('.af-conn-badge');
    badge.className = `af-conn-badge af-conn-${this.connState}`;
    badge.textContent = this.connState === 'live' ? '● live' : this.connState === 'connecting' ? '○ Connecting…' : '◎ Demo fallback';
  }

  _renderHealth() {
    const agents = this.getAgents();
    this.root.querySelector('.af-health').textContent = `${agents.filter((a) => stateLabel(a.state) === 'running').length}/${agents.length} wactorz healthy`;
  }

  // ── overview ──────────────────────────────────────────────────────────────

  _buildOverview() {
    const o = el('div', 'af-overview');
    const stats = el('div', 'af-stats-grid');
    stats.id = 'af-stats-grid';
    o.appendChild(stats);
    const grid = el('div', 'af-cards-grid');
    grid.id = 'af-wactor-cards';
    o.appendChild(grid);
    queueMicrotask(() => {
      this._renderStats();
      this._renderCards();
    });
    return o;
  }

  _renderStats() {
    const grid = this.root.querySelector('#af-stats-grid');
    if (!grid) return;
    const agents = this.getAgents();
    const msgs = agents.reduce((s, a) => s + (a.messagesProcessed ?? 0), 0);
    const cost = agents.reduce((s, a) => s + (a.costUsd ?? 0), 0);
    grid.innerHTML = '';
    for (const [label, value] of [
      ['Wactorz', String(agents.length)],
      ['Messages', String(msgs)],
      ['Cost', `$${cost.toFixed(4)}`],
      ['Feed Events', String(this.feedItems.length)],
    ]) {
      const c = el('div', 'af-stat-card');
      c.append(el('div', 'af-stat-label', label), el('div', 'af-stat-value', value));
      grid.appendChild(c);
    }
  }

  _renderCards() {
    const grid = this.root.querySelector('#af-wactor-cards');
    if (!grid) return;
    const sorted = this.getAgents().sort((a, b) => (a.name === 'main-actor' ? -1 : b.name === 'main-actor' ? 1 : a.name.localeCompare(b.name)));
    const live = new Set(sorted.map((a) => a.id));
    grid.querySelectorAll('[data-id]').forEach((c) => {
      if (!live.has(c.dataset.id)) c.remove();
    });
    for (const a of sorted) if (!grid.querySelector(`[data-id="${CSS.escape(a.id)}"]`)) grid.appendChild(this._buildWactorCard(a));
  }

  _buildWactorCard(agent) {
    const hbMs = this.lastHb.get(agent.id) ?? 0;
    const card = el('div', 'af-card');
    card.dataset.id = agent.id;
    const dot = el('div', 'af-card-state-dot');
    dot.style.background = stateColor(agent.state);
    const meta = el('div', 'af-card-meta');
    const hb = el('span', 'af-card-hb-time', hbMs ? relTime(hbMs) : '—');
    meta.append(el('span', '', '♥ '), hb, el('span', 'af-card-msgs', `${agent.messagesProcessed ?? 0} msgs`));
    card.append(dot, el('div', 'af-card-type-badge', agent.agentType ?? 'wactor'), el('div', 'af-card-name', agent.name), el('div', 'af-card-state-label', stateLabel(agent.state)), meta);
    if (agent.task) card.appendChild(el('div', 'af-card-task', agent.task));
    const controls = el('div', 'af-card-controls');
    const chatBtn = el('button', 'af-mini-btn af-chat-btn', 'Chat');
    chatBtn.hidden = stateLabel(agent.state) === 'stopped';
    chatBtn.addEventListener('click', (e) => {
      e.stopPropagation();
      this.chatTarget = agent.name;
      this.setView('chat');
    });
    controls.appendChild(chatBtn);
    this._appendActionBtns(controls, agent);
    controls.addEventListener('click', (e) => {
      const btn = e.target.closest('[data-action]');
      if (!btn || btn.disabled) return;
      e.stopPropagation();
      this._sendCommand(agent.id, btn.dataset.action, btn);
    });
    card.appendChild(controls);
    if (agent.protected) card.appendChild(el('div', 'af-card-protected', '🔒'));
    return card;
  }

  _appendActionBtns(controls, agent) {
    const status = stateLabel(agent.state);
    const add = (text, action, danger) => {
      const b = el('button', `af-mini-btn${danger ? ' danger' : ''}`, text);
      b.dataset.action = action;
      controls.appendChild(b);
    };
    if (status === 'running') add('Pause', 'pause');
    if (status === 'paused') add('Resume', 'resume');
    if (!agent.protected && status !== 'stopped') add('Stop', 'stop', true);
    if (!agent.protected) add('Delete', 'delete', true);
  }

  _patchCard(agent) {
    const card = this.root.querySelector(`[data-id="${CSS.escape(agent.id)}"]`);
    if (!card) {
      if (this.view === 'overview') this._renderCards();
      return;
    }
    card.querySelector('.af-card-state-dot').style.background = stateColor(agent.state);
    card.querySelector('.af-card-state-label').textContent = stateLabel(agent.state);
    card.querySelector('.af-card-name').textContent = agent.name;
    card.querySelector('.af-card-msgs').textContent = `${agent.messagesProcessed ?? 0} msgs`;
    const controls = card.querySelector('.af-card-controls');
    controls.querySelector('.af-chat-btn').hidden = stateLabel(agent.state) === 'stopped';
    controls.querySelectorAll('[data-action]').forEach((b) => b.remove());
    this._appendActionBtns(controls, agent);
  }

  _refreshTimestamps() {
    for (const [id, ms] of this.lastHb) {
      const hb = this.root.querySelector(`[data-id="${CSS.escape(id)}"] .af-card-hb-time`);
      if (hb) hb.textContent = relTime(ms);
    }
  }

  _sendCommand(id, action, btn) {
    btn.disabled = true;
    setTimeout(() => (btn.disabled = false), 600);
    emit('af-agent-command', { command: action, agentId: id });
  }

  // ── feed ──────────────────────────────────────────────────────────────────

  _buildFeedView() {
    const feed = el('div', 'af-feed');
    feed.id = 'af-feed-view';
    if (!this.feedItems.length) feed.appendChild(el('div', 'af-feed-empty', 'No events yet.'));
    for (const item of this.feedItems) this._feedItemEl(feed, item);
    return feed;
  }

  _feedItemEl(container, item) {
    if (!container) return;
    container.querySelector('.af-feed-empty')?.remove();
    const ICON = { spawn: '⚡', heartbeat: '♥', chat: '💬', 'alert-error': '🔴', 'alert-warning': '🟡', stopped: '◻', health: '◉', 'qa-flag': '⚑' };
    const row = el('div', `af-feed-item af-feed-${item.type}`);
    row.dataset.type = item.type;
    const time = new Date(item.timestamp).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    row.append(el('span', 'af-feed-icon', ICON[item.type] ?? '·'), el('span', 'af-feed-time', time), el('span', 'af-feed-agent', item.agentName), el('span', 'af-feed-text', item.label));
    container.appendChild(row);
  }

  // ── chat ──────────────────────────────────────────────────────────────────

  _buildChatView() {
    const pane = el('div', 'af-chat-pane');
    pane.append(el('div', 'af-chat-pane-title', `@${this.chatTarget}`));
    const thread = el('div', 'af-chat-thread');
    thread.id = 'af-chat-thread';
    pane.appendChild(thread);
    const msgs = this.chatMessages.filter((m) => this._msgBelongsHere(m));
    if (!msgs.length) thread.appendChild(el('div', 'af-chat-empty', `No messages in @${this.chatTarget} context yet.`));
    for (const m of msgs) this._appendChatMsgEl(m, thread);
    return pane;
  }

  /** True when `msg` belongs to the open thread (CardDashboard._msgBelongsHere). */
  _msgBelongsHere(msg) {
    if (msg.from === 'user') return msg.to === this.chatTarget;
    if (msg.from === 'io-gateway' || msg.from === 'system') return msg.to === this.chatTarget;
    return msg.from === this.chatTarget;
  }

  _appendChatMsgEl(msg, container) {
    const thread = container ?? this.root.querySelector('#af-chat-thread');
    if (!thread) return;
    thread.querySelector('.af-chat-empty')?.remove();
    const isUser = msg.from === 'user';
    const row = el('div', `af-chat-msg af-chat-msg-${isUser ? 'user' : 'agent'}`);
    row.append(el('div', 'af-chat-msg-from', isUser ? 'you' : msg.from), el('div', 'af-chat-msg-bubble', msg.content));
    thread.appendChild(row);
  }

  _buildIobar() {
    const bar = el('div', 'af-iobar');
    const select = el('select', 'af-target-select');
    select.id = 'af-target-select';
    const input = el('input', 'af-iobar-input');
    input.id = 'af-iobar-input';
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        this._sendMessage(input, select);
      }
    });
    select.addEventListener('change', () => {
      this.chatTarget = select.value || DEFAULT_TARGET;
      if (this.view === 'chat') this._renderView();
    });
    const send = el('button', 'af-send-btn', 'Send');
    send.addEventListener('click', () => this._sendMessage(input, select));
    bar.append(select, input, send);
    return bar;
  }

  /**
   * The agents, "main-actor" first, as the target select. The default target (no agent: the text
   * goes as typed, main answers) is offered as its own first entry — in the original it was the
   * select's initial value, which only a hub with an agent named "main-actor" could show.
   */
  _updateTargetSelect() {
    const select = this.root.querySelector('#af-target-select');
    if (!select) return;
    select.innerHTML = '';
    if (!this.agents.size || !this.getAgents().some((a) => a.name === DEFAULT_TARGET)) {
      const opt = el('option', '', `@${DEFAULT_TARGET} (default)`);
      opt.value = DEFAULT_TARGET;
      select.appendChild(opt);
    }
    for (const a of this.getAgents().sort((a, b) => (a.name === 'main-actor' ? -1 : b.name === 'main-actor' ? 1 : a.name.localeCompare(b.name)))) {
      const opt = el('option', '', `@${a.name}`);
      opt.value = a.name;
      select.appendChild(opt);
    }
    select.value = this.chatTarget;
    this.root.querySelector('#af-iobar-input').placeholder = `Message @${this.chatTarget}…`;
  }

  _sendMessage(input, select) {
    const content = input.value.trim();
    if (!content) return;
    const target = select.value || DEFAULT_TARGET;
    const msg = { id: `user-${Date.now()}`, from: 'user', to: target, content, timestampMs: Date.now() };
    this.chatMessages.push(msg);
    if (this.view === 'chat') this._appendChatMsgEl(msg);
    input.value = '';
    emit('af-send-message', { content, target });
  }
}
