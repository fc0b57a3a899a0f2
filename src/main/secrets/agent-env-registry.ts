/**
 * The spawn registry as the DynamicAgent service sees it, with agents' `env` values kept out of
 * SQLite: a row is written without `env`, and read back with the values from AgentEnvSecrets —
 * so code that reads `entry.config.env` (building an agent, describing it, replacing it) works
 * unchanged while the database never holds a value.
 *
 * Durability: the service awaits `AgentEnvSecrets.replace` before it registers new values (see
 * DynamicAgentService.createLocked); an upsert that changes the values otherwise (a code agent
 * replaced by an LLM agent of the same name) and a removal write the store in the background,
 * logging a failure — a secret left behind is removed at the next start.
 */
import type { Database } from 'better-sqlite3';
import { SpawnRegistry, type SpawnEntry, type SpawnUpsert } from '../persistence/stores/spawn-registry.js';
import type { AgentEnvSecrets } from './agent-env.js';

type Log = (level: 'info' | 'warning', message: string) => void;

function envOf(config: Record<string, unknown> | undefined): Record<string, string> | undefined {
  const env = config?.env;
  if (env === null || typeof env !== 'object' || Array.isArray(env)) return undefined;
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export class AgentEnvRegistry extends SpawnRegistry {
  constructor(
    db: Database,
    private readonly env: AgentEnvSecrets,
    private readonly log: Log = () => {},
  ) {
    super(db);
  }

  override get(name: string): SpawnEntry | undefined {
    const entry = super.get(name);
    return entry && this.withEnv(entry);
  }

  override list(): SpawnEntry[] {
    return super.list().map((e) => this.withEnv(e));
  }

  override upsert(input: SpawnUpsert): SpawnEntry {
    if (input.config === undefined) return super.upsert(input);
    const { env: _values, ...rest } = input.config;
    const values = envOf(input.config) ?? {};
    if (!this.env.same(input.name, values)) this.background(input.name, this.env.replace(input.name, values));
    return super.upsert({ ...input, config: rest });
  }

  override remove(name: string): boolean {
    const removed = super.remove(name);
    this.background(name, this.env.forget(name));
    return removed;
  }

  private withEnv(entry: SpawnEntry): SpawnEntry {
    const values = this.env.get(entry.name);
    if (!Object.keys(values).length) return entry;
    // Values from a row an older hub wrote (not moved yet) are kept under the store's.
    return { ...entry, config: { ...entry.config, env: { ...envOf(entry.config), ...values } } };
  }

  private background(agent: string, write: Promise<void>): void {
    write.catch((e: unknown) => this.log('warning', `agent ${agent}: its secrets could not be saved (${(e as Error).message})`));
  }
}
