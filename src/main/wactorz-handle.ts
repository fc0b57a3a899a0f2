/** What `startWactorz(config)` (src/main/wactorz.ts, the composition root) gives its host: the headless CLI or Electron main. */
import type { Bus } from './core/bus.js';
import type { ActorSystem } from './core/actor-system.js';
import type { Persistence } from './persistence/persistence.js';

export interface WactorzHandle {
  /** http://host:port of the dashboard, or null with --no-monitor. */
  readonly dashboardUrl: string | null;
  /** http://host:port of the REST interface when --interface rest, else null. */
  readonly restUrl: string | null;
  /** TCP port of the embedded MQTT broker, or the external broker's port. */
  readonly mqttPort: number;
  readonly mqttMode: 'embedded' | 'external';
  /** One line: which LLM is used, or exactly what to set when none is configured. */
  readonly llmSummary: string;
  /** The dashboard/REST/WebSocket token when one is required (hub bound beyond loopback), else null. */
  readonly dashboardToken: string | null;
  readonly system: ActorSystem;
  readonly bus: Bus;
  readonly persistence: Persistence;
  /** Chat entry point shared by every interface (CLI, REST, Discord…). */
  processUserInput(text: string, ctx?: { interface?: string; user?: string; onChunk?: (chunk: string) => void }): Promise<string>;
  /** Graceful: actors stopped in reverse order, state flushed, servers and broker closed. */
  stop(): Promise<void>;
}
