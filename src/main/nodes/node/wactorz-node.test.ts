/**
 * A node whose start-up fails halfway leaves nothing open: here its restore throws (a spawn
 * registry row that is not JSON), after its SQLite database, its MQTT connection (a real client
 * to a real embedded broker), its actor system and its command subscriptions were made.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../broker/embedded-broker.js';
import { connectExternalBus } from '../../broker/external-bus.js';
import { openPersistence } from '../../persistence/open-persistence.js';
import { startNode } from './wactorz-node.js';
import { installEnrollment } from '../trust/node-fleet-key.js';
import { formatEnrollmentCode } from '../trust/enrollment-code.js';
import { generateFleetKey } from '../trust/fleet-mac.js';

let root: string;
let broker: EmbeddedBroker;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wz-node-start-'));
  broker = await startEmbeddedBroker({ port: 0, log: () => {} });
});
afterAll(async () => {
  await broker?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('startNode', () => {
  it('closes persistence and the bus when restore throws', async () => {
    const stateDir = join(root, 'broken');
    const db = await openPersistence({ stateDir });
    // A database edited by hand (or damaged): the CHECK that keeps config JSON is switched off to write it.
    db.db.pragma('ignore_check_constraints = ON');
    db.db.prepare("INSERT INTO spawn_registry (name, kind, code, language, version, config, node, created_at, updated_at) VALUES ('bad', 'dynamic', 'x', 'javascript', 1, 'not json', '', 0, 0)").run();
    await db.close();
    expect(existsSync(join(stateDir, 'wactorz.db-wal'))).toBe(false); // a closed database leaves no WAL behind
    await installEnrollment(stateDir, 'broken', formatEnrollmentCode('broken', generateFleetKey()));

    // The node's MQTT connection, made here so that it is surely connected when restore throws.
    const bus = connectExternalBus({ url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'node-broken', log: () => {} });
    await bus.ready();
    expect(broker.aedes.connectedClients).toBe(1);
    const err = await startNode({ name: 'broken', stateDir, bus, heartbeatMs: 60_000 }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/spawn_registry bad config/);

    // Its connection is gone (the node closes the bus it was given, as at stop()).
    await expect.poll(() => broker.aedes.connectedClients, { timeout: 10_000 }).toBe(0);
    // Its database was closed: SQLite removes the WAL file when the last connection closes.
    expect(existsSync(join(stateDir, 'wactorz.db'))).toBe(true);
    expect(existsSync(join(stateDir, 'wactorz.db-wal'))).toBe(false);
  }, 30_000);

  it('refuses to start without its fleet key, saying how to enroll, and closes the bus it was given', async () => {
    const stateDir = join(root, 'stranger');
    const bus = connectExternalBus({ url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'node-stranger', log: () => {} });
    await bus.ready();
    const err = await startNode({ name: 'stranger', stateDir, bus, heartbeatMs: 60_000 }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/node stranger is not enrolled: .*POST \/nodes\/stranger\/enroll.*wactorz node enroll --name stranger/);
    await expect.poll(() => broker.aedes.connectedClients, { timeout: 10_000 }).toBe(0);
    // A key enrolled for another name is not this node's.
    await installEnrollment(stateDir, 'other', formatEnrollmentCode('other', generateFleetKey()));
    const bus2 = connectExternalBus({ url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'node-stranger2', log: () => {} });
    expect(String(await startNode({ name: 'stranger', stateDir, bus: bus2, heartbeatMs: 60_000 }).catch((e: unknown) => e))).toMatch(/enrolled as node other, not stranger/);
  }, 30_000);
});
