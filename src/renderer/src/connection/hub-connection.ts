/**
 * The dashboard's one connection to the hub: owns the bus link (MQTT, in a Web Worker where the
 * page can start one — bus-link.ts) and the REST client, feeds the stores (one update per
 * animation frame), keeps the agent list reconciled with REST (at start,
 * after every reconnect and every 30 s), and sends chat over MQTT or, when the link is down, REST.
 */
import { topics } from '../../../shared/topics.js';
import { randomId } from '../lib/ids.js';
import { browserStorage, type StorageLike } from '../lib/storage.js';
import { useAgentsStore } from '../stores/agents-store.js';
import { DASHBOARD_SENDER, useChatStore } from '../stores/chat-store.js';
import { useConnectionStore } from '../stores/connection-store.js';
import { applyUpdate } from './apply-update.js';
import { getBridge } from './bridge.js';
import type { BusLink } from './bus-link.js';
import { createBusLink } from './bus-link-factory.js';
import { resolveTarget, saveToken, type ConnectionTarget } from './credentials.js';
import { ApiError, RestClient } from './rest-client.js';
import { DASHBOARD_SUBSCRIPTIONS } from './subscriptions.js';

const REFRESH_MS = 30_000;
/** A reply that has not started within this time is reported as failed. */
const CHAT_REPLY_TIMEOUT_MS = 180_000;

export class HubConnection {
  private target: ConnectionTarget | null = null;
  private link: BusLink | null = null;
  private refreshTimer: ReturnType<typeof setInterval> | null = null;
  private readonly storage: StorageLike = browserStorage('local');
  private started: Promise<void> | null = null;
  private readonly chatTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor() {
    // A reply that has started (or ended) clears its no-reply timeout.
    useChatStore.subscribe((st) => {
      if (this.chatTimers.size === 0) return;
      for (const [id, timer] of this.chatTimers) {
        const reply = st.messages.findLast((m) => m.messageId === id && m.role !== 'user');
        if (!reply || reply.content !== '' || !reply.streaming) {
          clearTimeout(timer);
          this.chatTimers.delete(id);
        }
      }
    });
  }

  readonly rest = new RestClient(
    () => ({ apiUrl: this.target?.apiUrl ?? new URL('api/', globalThis.location?.href ?? 'http://127.0.0.1:8888/').toString(), token: this.target?.token ?? null }),
    undefined,
    () => useConnectionStore.getState().setAuthRequired(true),
  );

  /** Resolves the hub and token, then connects. Safe to call more than once. */
  start(): Promise<void> {
    this.started ??= this.boot();
    return this.started;
  }

  private async boot(): Promise<void> {
    this.target = await resolveTarget({
      href: globalThis.location.href,
      replaceUrl: (url) => globalThis.history.replaceState(globalThis.history.state, '', url),
      storage: this.storage,
      bridge: getBridge(),
    });
    useConnectionStore.getState().setBaseUrl(this.target.baseUrl);
    this.connectMqtt();
    void this.refresh();
    this.refreshTimer = setInterval(() => void this.refresh(), REFRESH_MS);
    globalThis.addEventListener?.('online', () => void this.refresh());
  }

  get token(): string | null {
    return this.target?.token ?? null;
  }

  get baseUrl(): string | null {
    return this.target?.baseUrl ?? null;
  }

  private connectMqtt(): void {
    if (!this.target) return;
    const conn = useConnectionStore.getState();
    this.link = createBusLink({
      url: this.target.mqttUrl,
      token: this.target.token,
      clientId: `wactorz-dashboard-${randomId().slice(0, 12)}`,
      subscriptions: DASHBOARD_SUBSCRIPTIONS,
      onUpdate: applyUpdate,
      onState: (state, detail) => {
        conn.setBusMode(this.link?.mode ?? null);
        const prev = useConnectionStore.getState().mqtt;
        conn.setMqtt(state, detail);
        // Back online after a gap: catch up on what MQTT did not tell us.
        if (state === 'online' && prev !== 'online') void this.refresh();
      },
      onUnauthorized: () => conn.setAuthRequired(true),
    });
    this.link.start();
  }

  /** Re-reads the agent list and health over REST. */
  async refresh(): Promise<void> {
    const conn = useConnectionStore.getState();
    try {
      const [agents, health] = await Promise.all([this.rest.listAgents(), this.rest.health().catch(() => null)]);
      useAgentsStore.getState().loadSummaries(agents);
      conn.setHealth(health);
      conn.setRest('ok');
      conn.setAuthRequired(false);
    } catch (e) {
      const err = e as Error;
      conn.setRest('error', err.message);
      if (e instanceof ApiError && e.status === 401) conn.setAuthRequired(true);
    }
  }

  /** A new token from the user (the hub printed it at start): saved, then everything reconnects. */
  async useToken(token: string | null): Promise<void> {
    saveToken(this.storage, token);
    if (this.target) this.target = { ...this.target, token };
    useConnectionStore.getState().setAuthRequired(false);
    await this.link?.stop();
    this.connectMqtt();
    await this.refresh();
  }

  /** Sends a chat message to main (or `@name …` to that agent, which main routes). */
  async sendChat(content: string): Promise<void> {
    const text = content.trim();
    if (!text) return;
    const messageId = randomId();
    const mention = /^@([\w.-]+)/.exec(text);
    const chat = useChatStore.getState();
    chat.addOutgoing(text, messageId, mention ? mention[1] : 'main');
    const sentOverMqtt = (await this.link?.publish(topics.ioChat, { from: DASHBOARD_SENDER, content: text, message_id: messageId }, 1)) ?? false;
    if (sentOverMqtt) {
      this.chatTimers.set(
        messageId,
        setTimeout(() => {
          this.chatTimers.delete(messageId);
          useChatStore.getState().fail(messageId, 'No reply from the hub within 3 minutes.');
        }, CHAT_REPLY_TIMEOUT_MS),
      );
      return;
    }
    // The bus is down: ask over REST, streamed as Server-Sent Events.
    try {
      const r = await this.rest.chatStream(text, (chunk) => useChatStore.getState().appendChunk(messageId, chunk));
      useChatStore.getState().finish(messageId, r.response, r.agent);
    } catch (e) {
      useChatStore.getState().fail(messageId, `Could not reach main: ${(e as Error).message}`);
    }
  }

  /** Publishes a command straight on the bus (used only where REST has no route). */
  async publish(topic: string, payload: unknown): Promise<boolean> {
    return (await this.link?.publish(topic, payload)) ?? false;
  }

  async stop(): Promise<void> {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    for (const t of this.chatTimers.values()) clearTimeout(t);
    this.chatTimers.clear();
    await this.link?.stop();
    this.link = null;
    this.started = null;
  }
}

export const hub = new HubConnection();
