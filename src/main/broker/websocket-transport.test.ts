/**
 * MQTT over WebSocket sends a burst of packets as few WebSocket messages (coalescingStream): a raw
 * WebSocket client, speaking MQTT bytes by hand so every WebSocket message is seen, gets all 300
 * packets of a burst intact and in order, in far fewer than 300 messages.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
import { waitUntil } from '../testing/wait.js';

const str = (s: string) => {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};
const packet = (first: number, body: Buffer) => {
  const len: number[] = [];
  let n = body.length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    len.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from([first, ...len]), body]);
};

/** Splits a byte stream into MQTT packets: [type, body]. */
function parsePackets(data: Buffer): { type: number; body: Buffer }[] {
  const out: { type: number; body: Buffer }[] = [];
  let i = 0;
  while (i < data.length) {
    const type = data[i]! >> 4;
    let len = 0;
    let mul = 1;
    let j = i + 1;
    for (;;) {
      const byte = data[j++]!;
      len += (byte & 0x7f) * mul;
      mul *= 128;
      if ((byte & 0x80) === 0) break;
    }
    out.push({ type, body: data.subarray(j, j + len) });
    i = j + len;
  }
  return out;
}

let broker: EmbeddedBroker;
let http: Server;
let url: string;

beforeAll(async () => {
  broker = await startEmbeddedBroker({ port: 0, log: () => undefined });
  http = createServer();
  broker.attachWebSocket(http, '/mqtt');
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/mqtt`;
});

afterAll(async () => {
  http.closeAllConnections();
  await new Promise<void>((r) => http.close(() => r()));
  await broker.close();
});

describe('MQTT over WebSocket, coalesced', () => {
  it('delivers a burst intact and in order in fewer WebSocket messages than packets', async () => {
    const ws = new WebSocket(url, 'mqtt');
    const messages: Buffer[] = [];
    ws.on('message', (d: Buffer) => messages.push(d));
    await new Promise<void>((r, j) => {
      ws.once('open', () => r());
      ws.once('error', j);
    });
    const stream = () => parsePackets(Buffer.concat(messages));
    // CONNECT (MQTT 3.1.1, clean session), then SUBSCRIBE burst/# at QoS 0.
    ws.send(packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 0x02, 0, 60]), str('burst-reader')])));
    await waitUntil(() => stream().some((p) => p.type === 2), 'CONNACK');
    ws.send(packet(0x82, Buffer.concat([Buffer.from([0, 1]), str('burst/#'), Buffer.from([0])])));
    await waitUntil(() => stream().some((p) => p.type === 9), 'SUBACK');
    const before = messages.length;

    for (let i = 0; i < 300; i++) broker.bus.publish(`burst/${i % 7}`, { n: i });
    await waitUntil(() => stream().filter((p) => p.type === 3).length === 300, 'all 300 packets');

    const payloads = stream()
      .filter((p) => p.type === 3)
      .map((p) => {
        const topicLen = p.body.readUInt16BE(0);
        return JSON.parse(p.body.subarray(2 + topicLen).toString()) as { n: number };
      });
    expect(payloads.map((p) => p.n)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(messages.length - before).toBeLessThan(150);
    ws.close();
  });
});
