/**
 * The embedded broker bound beyond loopback requires credentials (the real hub, real aedes, real
 * mqtt.js clients); on loopback with nothing configured it does not, and with API_KEY it does. A
 * node (in-process, real ExternalBus) logs in with the fleet credentials and runs an agent the hub
 * spawned on it. (The broker's own rules: src/main/broker/broker-auth.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/logger.js';
import { startWactorz } from '../../wactorz.js';
import { startNode } from '../node/wactorz-node.js';
import { enrollNode } from '../testing/enroll.js';
import { BrokerAuth, brokerAuthRequired, credentialsAccepted } from '../../broker/broker-auth.js';

const root = mkdtempSync(join(tmpdir(), 'wactorz-broker-auth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const base = (name: string, host: string) => ({
  stateDir: join(root, name),
  host,
  llm: { provider: 'none' as const },
  interface: 'none' as const,
  monitorPort: null,
  mqtt: { port: 0 },
});

async function tryConnect(port: number, creds: { username?: string; password?: string } = {}): Promise<'connected' | string> {
  try {
    const c = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 10_000, ...creds }, false);
    await c.endAsync(true);
    return 'connected';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('credentials on the embedded broker', () => {
  it('accepts the configured pair or a token as password, nothing else', () => {
    const creds = { username: 'fleet', password: 's3cret', tokens: () => ['tok'] };
    expect(credentialsAccepted(creds, 'fleet', Buffer.from('s3cret'))).toBe(true);
    expect(credentialsAccepted(creds, 'anyone', Buffer.from('tok'))).toBe(true);
    expect(credentialsAccepted(creds, 'fleet', Buffer.from('wrong'))).toBe(false);
    expect(credentialsAccepted(creds, 'other', Buffer.from('s3cret'))).toBe(false);
    expect(credentialsAccepted(creds, 'fleet', undefined)).toBe(false);
    expect(brokerAuthRequired('127.0.0.1', { tokens: () => [] })).toBe(false);
    expect(brokerAuthRequired('127.0.0.1', creds)).toBe(true);
    expect(brokerAuthRequired('0.0.0.0', { tokens: () => ['tok'] })).toBe(true);
    expect(() => new BrokerAuth('0.0.0.0', { tokens: () => [] })).toThrow(/WACTORZ_MQTT_USERNAME/);
  });

  it('beyond loopback every client logs in; a node with the fleet credentials runs the hub’s agent', async () => {
    const hub = await startWactorz(base('open', '0.0.0.0'), { log: silentLogger, env: { WACTORZ_MQTT_USERNAME: 'fleet', WACTORZ_MQTT_PASSWORD: 's3cret' }, nodes: { checkMs: 200 } });
    try {
      const port = hub.mqttPort;
      expect(await tryConnect(port)).toMatch(/not authorized|bad user ?name or password/i);
      expect(await tryConnect(port, { username: 'fleet', password: 'nope' })).toMatch(/not authorized|bad user ?name or password/i);
      expect(await tryConnect(port, { username: 'fleet', password: 's3cret' })).toBe('connected');
      expect(hub.dashboardToken).toBeTruthy();
      expect(await tryConnect(port, { username: 'dashboard', password: hub.dashboardToken! })).toBe('connected');

      await enrollNode(hub.nodes, 'garage', join(root, 'garage'));
      const node = await startNode({ name: 'garage', stateDir: join(root, 'garage'), broker: { url: `mqtt://127.0.0.1:${port}`, username: 'fleet', password: 's3cret' }, heartbeatMs: 300 });
      try {
        const report = await hub.nodes.spawnOnNode({ name: 'doubler', node: 'garage', code: 'export async function handleTask(agent, t) { return { doubled: t.n * 2 }; }' });
        expect(report).toMatchObject({ ok: true, status: 'running' });
        expect(await hub.nodes.askRemote('doubler', { n: 21 }, 20_000)).toEqual({ doubled: 42 });
      } finally {
        await node.stop();
      }
    } finally {
      await hub.stop();
    }
  }, 60_000);

  it('on loopback no credentials are needed (as before)', async () => {
    const hub = await startWactorz(base('local', '127.0.0.1'), { log: silentLogger, env: {} });
    try {
      expect(await tryConnect(hub.mqttPort)).toBe('connected');
    } finally {
      await hub.stop();
    }
  }, 30_000);

  it('on loopback with API_KEY every client logs in, a node too', async () => {
    const hub = await startWactorz(base('keyed', '127.0.0.1'), { log: silentLogger, env: { API_KEY: 'the-api-key' }, nodes: { checkMs: 200 } });
    try {
      expect(await tryConnect(hub.mqttPort)).toMatch(/not authorized|bad user ?name or password/i);
      expect(await tryConnect(hub.mqttPort, { username: 'script', password: 'the-api-key' })).toBe('connected');
      await enrollNode(hub.nodes, 'shed', join(root, 'shed'));
      const node = await startNode({ name: 'shed', stateDir: join(root, 'shed'), broker: { url: `mqtt://127.0.0.1:${hub.mqttPort}`, username: 'node', password: 'the-api-key' }, heartbeatMs: 300 });
      try {
        const report = await hub.nodes.spawnOnNode({ name: 'tripler', node: 'shed', code: 'export async function handleTask(agent, t) { return { tripled: t.n * 3 }; }' });
        expect(report).toMatchObject({ ok: true, status: 'running' });
        expect(await hub.nodes.askRemote('tripler', { n: 5 }, 20_000)).toEqual({ tripled: 15 });
      } finally {
        await node.stop();
      }
    } finally {
      await hub.stop();
    }
  }, 60_000);
});
