/**
 * A node on a broker that requires TLS and a password: a real Mosquitto with a certificate signed
 * by a CA made here (openssl), a password file (mosquitto_passwd); the node's own flags
 * (`--broker mqtts://… --ca-file … --username … --password …`) get it in, and its heartbeat out.
 * Without the CA, or with a wrong password, the connection is refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, mosquittoAvailability, startMosquitto, type MosquittoServer } from '../../broker/testing/mosquitto.js';
import { connectRecordingClient, type RecordingClient } from '../../broker/testing/mqtt-test-client.js';
import { connectExternalBus } from '../../broker/external-bus.js';
import { findExecutable } from '../testing/node-process.js';
import { nodeTopics } from '../../../shared/node-protocol.js';
import { parseNodeArgs } from './node-args.js';
import { startNode } from './wactorz-node.js';
import { installEnrollment } from '../trust/node-fleet-key.js';
import { formatEnrollmentCode } from '../trust/enrollment-code.js';
import { generateFleetKey } from '../trust/fleet-mac.js';
import { waitUntil } from '../../testing/wait.js';

const availability = mosquittoAvailability();
const tools = { openssl: findExecutable('openssl'), passwd: findExecutable('mosquitto_passwd') };
const skip = availability.skip ?? (!tools.openssl || !tools.passwd ? 'openssl or mosquitto_passwd is missing; skipping the TLS node test' : undefined);
if (skip) {
  if (process.env.CI === 'true' && !availability.skip) throw new Error(`${skip} (required when CI=true)`);
  console.warn(skip);
}

describe.skipIf(skip !== undefined)('a node on a TLS broker with a password', () => {
  let dir: string;
  let mq: MosquittoServer;
  let tlsPort: number;
  let observer: RecordingClient;
  const ca = () => join(dir, 'ca.pem');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wactorz-node-tls-'));
    const ssl = (...args: string[]) => execFileSync(tools.openssl!, args, { cwd: dir, stdio: 'pipe' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Wactorz test CA');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=localhost');
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    ssl('x509', '-req', '-in', 'broker.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'broker.pem', '-days', '2', '-extfile', 'san.ext');
    execFileSync(tools.passwd!, ['-c', '-b', join(dir, 'passwd'), 'garage', 's3cret'], { stdio: 'pipe' });
    tlsPort = await freePort();
    mq = await startMosquitto({
      extraConfig: [
        'allow_anonymous false',
        `password_file ${join(dir, 'passwd')}`,
        `listener ${tlsPort} 127.0.0.1`,
        `cafile ${join(dir, 'ca.pem')}`,
        `certfile ${join(dir, 'broker.pem')}`,
        `keyfile ${join(dir, 'broker.key')}`,
      ],
    });
    observer = await connectRecordingClient(mq.url, { username: 'garage', password: 's3cret' });
    await observer.subscribe(nodeTopics.heartbeat('garage'), 1);
  }, 60_000);

  afterAll(async () => {
    await observer?.end();
    await mq?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('connects with --broker mqtts://… --ca-file --username --password and publishes its heartbeat', async () => {
    const parsed = parseNodeArgs(['--broker', `mqtts://localhost:${tlsPort}`, '--name', 'garage', '--ca-file', ca(), '--username', 'garage', '--password', 's3cret', '--state-dir', join(dir, 'garage'), '--heartbeat-ms', '300'], {});
    expect(parsed.kind).toBe('run');
    if (parsed.kind !== 'run') return;
    expect(parsed.options.brokerDisplay).toBe(`mqtts://localhost:${tlsPort}`);
    await installEnrollment(parsed.options.stateDir, 'garage', formatEnrollmentCode('garage', generateFleetKey()));
    const node = await startNode({ name: parsed.options.name, stateDir: parsed.options.stateDir, broker: parsed.options.broker, heartbeatMs: parsed.options.heartbeatMs });
    try {
      await waitUntil(() => observer.received.length > 0, 'the node heartbeat over TLS', 20_000);
      expect(JSON.parse(observer.received[0]!.payload)).toMatchObject({ node: 'garage', agents: [] });
    } finally {
      await node.stop();
    }
  }, 60_000);

  it('is refused without the CA and with a wrong password', async () => {
    const noCa = connectExternalBus({ url: `mqtts://localhost:${tlsPort}`, username: 'garage', password: 's3cret', log: () => {} });
    await expect(noCa.waitConnected(2_500)).rejects.toThrow(/certificate/i);
    await noCa.close();
    const wrong = connectExternalBus({ url: `mqtts://localhost:${tlsPort}`, username: 'garage', password: 'nope', ca: readFileSync(ca(), 'utf8'), log: () => {} });
    await expect(wrong.waitConnected(2_500)).rejects.toThrow(/not authorized|bad user/i);
    await wrong.close();
  }, 30_000);
});
