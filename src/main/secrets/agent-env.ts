/**
 * The values of agents' `agent.env` (secrets a person gave at spawn: REST `env`, a recipe's secret
 * fields) live in the SecretStore as `agent.<agent>.<NAME>` — never in the spawn registry's SQLite
 * row, which keeps only the rest of the agent's config.
 *
 * Agents are rebuilt synchronously (a supervisor's restart), so every value is loaded once at
 * start and kept here; a change is written to the store first and awaited (`replace`), so what
 * the registry points at is on disk before the agent runs with it. Values the store cannot give
 * back (a changed keychain) are skipped with a warning naming the agent and the variable, and
 * secrets left by agents that no longer exist are removed at load.
 */
import { MemorySecretStore } from './memory-secret-store.js';
import type { SecretStore } from './secret-store.js';

export const AGENT_SECRET_PREFIX = 'agent.';
const PLAIN_PART = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** A name part as the store allows it: as is when it can be, else `-` + base64url (never ambiguous: parts never start with `-`). */
function encodePart(s: string): string {
  return PLAIN_PART.test(s) ? s : `-${Buffer.from(s, 'utf8').toString('base64url')}`;
}
function decodePart(s: string): string {
  return s.startsWith('-') ? Buffer.from(s.slice(1), 'base64url').toString('utf8') : s;
}

export function agentSecretName(agent: string, variable: string): string {
  return `${AGENT_SECRET_PREFIX}${encodePart(agent)}.${encodePart(variable)}`;
}

function parseAgentSecretName(name: string): { agent: string; variable: string } | undefined {
  const parts = name.slice(AGENT_SECRET_PREFIX.length).split('.');
  return parts.length === 2 ? { agent: decodePart(parts[0]!), variable: decodePart(parts[1]!) } : undefined;
}

type Log = (level: 'info' | 'warning', message: string) => void;

export class AgentEnvSecrets {
  private readonly values = new Map<string, Record<string, string>>();
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly store: SecretStore = new MemorySecretStore(),
    private readonly log: Log = () => {},
  ) {}

  /** Loads every agent's values; `keep(agent)` false → that agent is gone and its secrets are removed. */
  async load(keep: (agent: string) => boolean = () => true): Promise<void> {
    this.values.clear();
    const orphans: Record<string, null> = {};
    for (const name of await this.store.names(AGENT_SECRET_PREFIX)) {
      const parsed = parseAgentSecretName(name);
      if (!parsed) continue;
      if (!keep(parsed.agent)) {
        orphans[name] = null;
        continue;
      }
      try {
        const value = await this.store.get(name);
        if (value !== undefined) this.values.set(parsed.agent, { ...this.values.get(parsed.agent), [parsed.variable]: value });
      } catch (e) {
        this.log('warning', `agent ${parsed.agent}: secret ${parsed.variable} cannot be read (${(e as Error).message}); give it again when you update the agent`);
      }
    }
    if (Object.keys(orphans).length) {
      await this.store.update(orphans);
      this.log('info', `removed ${Object.keys(orphans).length} secret(s) of agents that no longer exist`);
    }
  }

  /** The agent's values (a copy); empty when it has none. */
  get(agent: string): Record<string, string> {
    return { ...this.values.get(agent) };
  }

  /** Makes `env` the agent's whole set of values, on disk before it returns. Changes apply in call order. */
  replace(agent: string, env: Readonly<Record<string, string>>): Promise<void> {
    const run = () => this.replaceNow(agent, { ...env });
    const done = this.writing.then(run, run);
    this.writing = done.catch(() => undefined);
    return done;
  }

  private async replaceNow(agent: string, env: Readonly<Record<string, string>>): Promise<void> {
    const current = this.values.get(agent) ?? {};
    const changes: Record<string, string | null> = {};
    for (const k of Object.keys(current)) if (!(k in env)) changes[agentSecretName(agent, k)] = null;
    for (const [k, v] of Object.entries(env)) if (current[k] !== v) changes[agentSecretName(agent, k)] = v;
    if (!Object.keys(changes).length) return;
    await this.store.update(changes);
    if (Object.keys(env).length) this.values.set(agent, { ...env });
    else this.values.delete(agent);
  }

  /** True when `env` is what the agent has now (nothing to write). */
  same(agent: string, env: Readonly<Record<string, string>>): boolean {
    const current = this.values.get(agent) ?? {};
    const keys = Object.keys(env);
    return keys.length === Object.keys(current).length && keys.every((k) => current[k] === env[k]);
  }

  forget(agent: string): Promise<void> {
    return this.replace(agent, {});
  }
}
