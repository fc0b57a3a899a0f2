/**
 * The headless hub's configuration by environment, as the original's Docker Compose file and Home
 * Assistant add-on set it (INTERFACE, PORT, LLM_PROVIDER, LLM_MODEL, MQTT_HOST, MONITOR_PORT…), and
 * a `.env` file. Precedence, highest first:
 *
 *   1. command-line flags
 *   2. the process environment
 *   3. `.env` (`--env-file <path>`, else `./.env` in the working directory when there is one)
 *   4. settings saved from the dashboard (they only fill what 1–3 leave open; see settings/)
 *   5. built-in defaults
 *
 * Flags win because commander only falls back to a default — computed here from the environment —
 * when the flag is absent. The `.env` parser is Node's own `util.parseEnv` (dotenv's syntax:
 * comments, quotes, `export`, multi-line values): no dependency for 20 lines of glue. Only the
 * headless CLI calls this; the desktop app ignores `.env` (its settings live in the app).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { INTERFACES, LLM_PROVIDERS, type InterfaceName, type LlmProviderName } from './config.js';

export type Env = Readonly<Record<string, string | undefined>>;

export class EnvConfigError extends Error {}

export interface DotEnv {
  /** The file read, or null when there was none. */
  path: string | null;
  values: Record<string, string>;
}

/** The `--env-file` value in argv (`--env-file x` or `--env-file=x`), before commander parses. */
export function envFileFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--env-file') return argv[i + 1];
    if (a.startsWith('--env-file=')) return a.slice('--env-file='.length);
  }
  return undefined;
}

/**
 * Reads `.env`: the file named by `--env-file` (it must exist), else `<cwd>/.env` when present.
 * A file that cannot be read or parsed is an error that names it, never a silent default.
 */
export function readDotEnv(argv: readonly string[], cwd: string): DotEnv {
  const named = envFileFlag(argv);
  if (named === '') throw new EnvConfigError('--env-file needs a path');
  const path = named !== undefined ? resolve(cwd, named) : resolve(cwd, '.env');
  if (!existsSync(path)) {
    if (named !== undefined) throw new EnvConfigError(`--env-file ${named}: no such file`);
    return { path: null, values: {} };
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new EnvConfigError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseEnv(text))) if (v !== undefined) values[k] = v;
  return { path, values };
}

/** The environment the hub sees: `.env` under the process environment (a set variable wins). */
export function mergeEnv(processEnv: Env, dotEnv: DotEnv): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...dotEnv.values };
  for (const [k, v] of Object.entries(processEnv)) if (v !== undefined) merged[k] = v;
  return merged;
}

const TRUTHY = new Set(['1', 'true', 'yes', 'on', 'dev']);

const value = (env: Env, ...names: string[]): string | undefined => {
  for (const n of names) {
    const v = env[n]?.trim();
    if (v) return v;
  }
  return undefined;
};

function port(env: Env, name: string): number | undefined {
  const v = value(env, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new EnvConfigError(`${name}="${v}" is not a port number (0–65535)`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, choices: readonly T[]): T | undefined {
  const v = value(env, name)?.toLowerCase();
  if (v === undefined) return undefined;
  if (!(choices as readonly string[]).includes(v)) throw new EnvConfigError(`${name}="${v}" is not one of ${choices.join(', ')}`);
  return v as T;
}

/** Defaults for the CLI flags, from the original's variables (and ours). Undefined → the built-in default. */
export interface EnvFlagDefaults {
  interface?: InterfaceName;
  port?: number;
  host?: string;
  llm?: LlmProviderName;
  model?: string;
  ollamaHost?: string;
  mqttBroker?: string;
  mqttPort?: number;
  monitorPort?: number;
  telegramAllowedUserId?: number;
}

/**
 * The original's variables as flag defaults. WACTORZ_DEV_MODE (truthy) makes the REST interface on
 * port 8080 the default, as the original's dev mode does; INTERFACE and PORT still win over it.
 * MQTT_HOST names an external broker (the original always connected to MQTT_HOST); without it the
 * embedded broker runs, on MQTT_PORT when set. MONITOR_PORT (or the original's WS_PORT) is the
 * dashboard's port. A malformed value is an EnvConfigError naming the variable.
 */
export function envFlagDefaults(env: Env): EnvFlagDefaults {
  const dev = TRUTHY.has(value(env, 'WACTORZ_DEV_MODE')?.toLowerCase() ?? '');
  const out: EnvFlagDefaults = {
    interface: oneOf(env, 'INTERFACE', INTERFACES) ?? (dev ? 'rest' : undefined),
    port: port(env, 'PORT') ?? (dev ? 8080 : undefined),
    host: value(env, 'WACTORZ_BIND_HOST'),
    llm: oneOf(env, 'LLM_PROVIDER', LLM_PROVIDERS),
    model: value(env, 'LLM_MODEL'),
    ollamaHost: value(env, 'OLLAMA_HOST', 'OLLAMA_URL'),
    mqttBroker: value(env, 'MQTT_HOST'),
    mqttPort: port(env, 'MQTT_PORT'),
    monitorPort: port(env, 'MONITOR_PORT') ?? port(env, 'WS_PORT'),
  };
  const tg = value(env, 'TELEGRAM_ALLOWED_USER_ID');
  if (tg !== undefined) {
    if (!/^\d+$/.test(tg)) throw new EnvConfigError(`TELEGRAM_ALLOWED_USER_ID="${tg}" is not a Telegram user id (a number)`);
    // The original's 0 means "anyone".
    if (Number(tg) > 0) out.telegramAllowedUserId = Number(tg);
  }
  return out;
}
