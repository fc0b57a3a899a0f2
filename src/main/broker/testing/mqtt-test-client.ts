/**
 * Test helpers around a real mqtt.js client: connect and wait for CONNACK, record received
 * messages, wait for a condition (polling, generous timeouts: tests run on a loaded 2-core box).
 */
import { type IClientOptions, type MqttClient, connectAsync } from 'mqtt';

export interface ReceivedMessage {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

export interface RecordingClient {
  client: MqttClient;
  received: ReceivedMessage[];
  /** Subscribes and waits for the SUBACK. */
  subscribe(pattern: string | string[], qos?: 0 | 1): Promise<void>;
  publish(topic: string, payload: string | Buffer, opts?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
  end(): Promise<void>;
}

/** Connects a real mqtt.js client (no auto-reconnect unless asked) and records what it receives. */
export async function connectRecordingClient(url: string, opts: IClientOptions = {}): Promise<RecordingClient> {
  // allowRetries=false: a refused connection (e.g. a failed WebSocket handshake) rejects instead of hanging.
  const client = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...opts }, false);
  client.on('error', () => {});
  const received: ReceivedMessage[] = [];
  client.on('message', (topic, payload, packet) => {
    received.push({ topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain });
  });
  return {
    client,
    received,
    async subscribe(pattern, qos = 0) {
      const granted = await client.subscribeAsync(pattern, { qos });
      const refused = granted.filter((g) => g.qos === 128);
      if (refused.length > 0) throw new Error(`subscription refused: ${refused.map((g) => g.topic).join(', ')}`);
    },
    async publish(topic, payload, pubOpts = {}) {
      await client.publishAsync(topic, payload, { qos: pubOpts.qos ?? 0, retain: pubOpts.retain ?? false });
    },
    async end() {
      await client.endAsync(true);
    },
  };
}
