/**
 * A small hub for HA integration tests, built from the real parts: the HA simulator, the embedded
 * aedes broker (its in-process bus for actors, TCP for outside MQTT clients), SQLite persistence
 * in a temp dir, an ActorSystem, and a started HaConnection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../../broker/embedded-broker.js';
import { ActorSystem } from '../../../core/actor-system.js';
import { openPersistence } from '../../../persistence/open-persistence.js';
import type { Persistence } from '../../../persistence/persistence.js';
import { HaStateHistory } from '../bridge/state-history.js';
import { HaConnection, type HaConnectionOptions } from '../ha-connection.js';
import { type HaSimulator, type HaSimulatorOptions, startHaSimulator } from './ha-simulator.js';
import { logCollector } from './log-collector.js';

export interface HaTestHub {
  sim: HaSimulator;
  broker: EmbeddedBroker;
  system: ActorSystem;
  persistence: Persistence;
  history: HaStateHistory;
  connection: HaConnection;
  /** mqtt://127.0.0.1:<port> of the embedded broker. */
  mqttUrl: string;
  logs: ReturnType<typeof logCollector>;
  close(): Promise<void>;
}

export async function startHaTestHub(opts: { sim?: HaSimulatorOptions; connection?: HaConnectionOptions; token?: string; waitConnected?: boolean } = {}): Promise<HaTestHub> {
  const stateDir = mkdtempSync(join(tmpdir(), 'wz-ha-'));
  const sim = await startHaSimulator(opts.sim);
  const logs = logCollector();
  const broker = await startEmbeddedBroker({ port: 0, log: () => {} });
  const persistence = await openPersistence({ stateDir });
  const system = new ActorSystem({ bus: broker.bus, persistence, heartbeatMs: 60_000 });
  const connection = new HaConnection({ url: sim.url, token: opts.token ?? sim.token }, { log: logs.log, map: { reloadDebounceMs: 20 }, ...opts.connection });
  connection.start();
  if (opts.waitConnected !== false) await connection.ws.waitUntilConnected();
  return {
    sim,
    broker,
    system,
    persistence,
    history: new HaStateHistory(persistence.db),
    connection,
    mqttUrl: `mqtt://127.0.0.1:${broker.port}`,
    logs,
    async close() {
      await system.shutdown();
      connection.close();
      await broker.close();
      await persistence.close();
      await sim.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
