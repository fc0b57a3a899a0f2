/**
 * The dashboard's MQTT-over-WebSocket client: connects to `/mqtt` on the hub with the token as
 * password, subscribes to the dashboard topics on every (re)connect, reconnects by itself with a
 * growing delay (1 s → 15 s), and reports a simple state for the UI.
 */
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';

export type LinkState = 'connecting' | 'online' | 'reconnecting' | 'offline';

export interface MqttLinkOptions {
  url: string;
  token: string | null;
  clientId: string;
  subscriptions: readonly string[];
  onMessage: (topic: string, payload: Uint8Array) => void;
  onState: (state: LinkState, detail?: string) => void;
  /** The broker refused our credentials (CONNACK 4/5): retrying will not help until the token changes. */
  onUnauthorized?: () => void;
  connect?: (url: string, opts: IClientOptions) => MqttClient;
  minDelayMs?: number;
  maxDelayMs?: number;
}

export class MqttLink {
  private client: MqttClient | null = null;
  private delay: number;
  private current: LinkState = 'offline';
  private stopped = false;

  constructor(private readonly o: MqttLinkOptions) {
    this.delay = o.minDelayMs ?? 1_000;
  }

  get state(): LinkState {
    return this.current;
  }

  private setState(s: LinkState, detail?: string): void {
    this.current = s;
    this.o.onState(s, detail);
  }

  start(): void {
    if (this.client) return;
    this.stopped = false;
    const min = this.o.minDelayMs ?? 1_000;
    const max = this.o.maxDelayMs ?? 15_000;
    const opts: IClientOptions = {
      clientId: this.o.clientId,
      clean: true,
      keepalive: 30,
      connectTimeout: 10_000,
      reconnectPeriod: min,
      resubscribe: false, // we subscribe on every connect ourselves
      protocolVersion: 4,
    };
    if (this.o.token) {
      opts.username = 'dashboard';
      opts.password = this.o.token;
    }
    this.setState('connecting');
    const connect = this.o.connect ?? ((url: string, options: IClientOptions) => mqtt.connect(url, options));
    const client = connect(withToken(this.o.url, this.o.token), opts);
    this.client = client;

    client.on('connect', () => {
      this.delay = min;
      client.options.reconnectPeriod = min;
      // Online once the broker has acknowledged the subscriptions: from then on nothing is missed.
      client.subscribe(this.o.subscriptions as string[], { qos: 0 }, (err) => {
        if (this.stopped || this.client !== client) return;
        this.setState('online', err ? `subscribe failed: ${err.message}` : undefined);
      });
    });
    client.on('reconnect', () => {
      this.setState('reconnecting');
      // Back off: each failed attempt waits longer, up to `max`.
      this.delay = Math.min(max, this.delay * 2);
      client.options.reconnectPeriod = this.delay;
    });
    client.on('close', () => {
      if (this.stopped) return;
      if (this.current === 'online' || this.current === 'connecting') this.setState('reconnecting', 'connection lost');
    });
    client.on('offline', () => {
      if (!this.stopped) this.setState('reconnecting', 'hub unreachable');
    });
    client.on('error', (err: Error & { code?: number }) => {
      if (this.stopped) return;
      if (err.code === 4 || err.code === 5 || err.code === 134 || err.code === 135) {
        this.o.onUnauthorized?.();
        this.setState('offline', 'not authorised: a valid token is needed');
        // Stop hammering the broker with a token it refuses; a new token restarts the link.
        client.end(true);
        this.client = null;
        return;
      }
      this.setState(this.current === 'online' ? 'online' : 'reconnecting', err.message);
    });
    // mqtt.js hands over a Buffer in Node and its browser polyfill in the page: both are Uint8Arrays.
    client.on('message', (topic, payload) => this.o.onMessage(topic, payload as unknown as Uint8Array));
  }

  /** Publishes JSON; false when not connected (the caller falls back to REST). */
  publish(topic: string, payload: unknown, qos: 0 | 1 = 1): boolean {
    const c = this.client;
    if (!c || !c.connected) return false;
    c.publish(topic, JSON.stringify(payload), { qos });
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.client;
    this.client = null;
    if (c) await new Promise<void>((resolve) => c.end(true, {}, () => resolve()));
    this.setState('offline');
  }
}

/**
 * Browsers cannot set headers on a WebSocket, so a hub that checks the upgrade request itself
 * (before MQTT's CONNECT carries the password) finds the token in the query string.
 */
export function withToken(url: string, token: string | null): string {
  if (!token) return url;
  const u = new URL(url);
  u.searchParams.set('token', token);
  return u.toString();
}
