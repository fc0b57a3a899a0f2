/**
 * The headless hub's flags: the original's (`--llm`, `--ollama-model`, `--interface`, `--port`,
 * `--mqtt-broker`, `--mqtt-port`, `--monitor-port`, `--no-monitor`, `--reload`, tokens,
 * `--telegram-allowed-user-id`…) plus ours (`--state-dir`, `--host`, `--redis-url`, `--env-file`).
 * Defaults come from the environment (the original's INTERFACE, PORT, LLM_PROVIDER… — see
 * env-config.ts), so a flag always wins over a variable. Parsing never exits the process: it
 * returns either the flags or a usage error, and the caller exits with code 2.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseCommand, type ParseOutcome } from './parse-command.js';
import { INTERFACES, LLM_PROVIDERS, type InterfaceName, type LlmProviderName } from './config.js';
import { EnvConfigError, envFlagDefaults } from './env-config.js';

export interface CliFlags {
  llm?: LlmProviderName;
  model?: string;
  ollamaModel?: string;
  ollamaHost?: string;
  nimModel?: string;
  geminiModel?: string;
  interface: InterfaceName;
  port: number;
  host: string;
  mqttBroker?: string;
  mqttPort: number;
  mqttUsername?: string;
  mqttPassword?: string;
  monitorPort: number;
  monitor: boolean;
  reload: boolean;
  stateDir: string;
  redisUrl?: string;
  discordToken?: string;
  telegramToken?: string;
  /** Only this Telegram user may talk to the bot (the original's flag; TELEGRAM_ALLOWED_USER_ID). */
  telegramAllowedUserId?: number;
  /** The .env file read (headless only); resolved before parsing, kept for --help. */
  envFile?: string;
}

export type CliParseResult = ParseOutcome<CliFlags>;

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 0 || n > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a port number (0–65535).`);
  }
  return n;
}

function parseUserId(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new InvalidArgumentError(`"${value}" is not a Telegram user id (a positive number).`);
  return Number(value);
}

/** The flags; their defaults come from `env` (the original's variables, see env-config.ts). Throws EnvConfigError on a malformed variable. */
export function buildCommand(env: NodeJS.ProcessEnv = process.env): Command {
  const d = envFlagDefaults(env);
  return new Command('wactorz')
    .description('Wactorz: an actor-model hub for multi-agent AI (headless). The dashboard runs on --monitor-port.')
    .addOption(new Option('--llm <provider>', 'LLM provider (LLM_PROVIDER)').choices(LLM_PROVIDERS as unknown as string[]).default(d.llm))
    .option('--model <name>', 'model for the chosen provider (LLM_MODEL; overrides the provider default)', d.model)
    .option('--ollama-model <name>', 'Ollama model, e.g. llama3')
    .option('--ollama-host <url>', 'Ollama server (OLLAMA_HOST, OLLAMA_URL)', d.ollamaHost ?? 'http://127.0.0.1:11434')
    .option('--nim-model <name>', 'NVIDIA NIM model, e.g. meta/llama-3.3-70b-instruct')
    .option('--gemini-model <name>', 'Gemini model, e.g. gemini-2.5-flash')
    .addOption(
      new Option('--interface <name>', 'user interface (INTERFACE)').choices(INTERFACES as unknown as string[]).default(d.interface ?? 'cli'),
    )
    .option('--port <n>', 'REST port with --interface rest, webhook port with whatsapp (PORT)', parsePort, d.port ?? 8000)
    .option('--host <address>', 'bind address for MQTT, dashboard and REST (WACTORZ_BIND_HOST)', d.host ?? '127.0.0.1')
    .option('--mqtt-broker <host>', 'use an external MQTT broker instead of the embedded one (MQTT_HOST)', d.mqttBroker)
    .option('--mqtt-port <n>', 'MQTT port: the embedded broker listens here, or the external broker\'s (MQTT_PORT)', parsePort, d.mqttPort ?? 1883)
    .option('--mqtt-username <user>', 'external broker username', env.MQTT_USERNAME)
    .option('--mqtt-password <password>', 'external broker password', env.MQTT_PASSWORD)
    .option('--monitor-port <n>', 'dashboard port, also /api and MQTT over WebSocket at /mqtt (MONITOR_PORT)', parsePort, d.monitorPort ?? 8888)
    .option('--no-monitor', 'do not serve the dashboard')
    .option('--reload', 'restart when source files change (development)', false)
    .option('--state-dir <dir>', 'where all state lives', env.WACTORZ_STATE_DIR ?? './state')
    .option('--redis-url <url>', 'Redis for ephemeral state (falls back to memory)', env.REDIS_URL)
    .option('--discord-token <token>', 'Discord bot token', env.DISCORD_BOT_TOKEN)
    .option('--telegram-token <token>', 'Telegram bot token', env.TELEGRAM_BOT_TOKEN)
    .option('--telegram-allowed-user-id <id>', 'only this Telegram user may talk to the bot (TELEGRAM_ALLOWED_USER_ID)', parseUserId, d.telegramAllowedUserId)
    .option('--env-file <path>', 'read variables from this file instead of ./.env (process environment wins over it)')
    .addHelpText('after', '\nRemote node (agents on another machine, over an external broker):\n  wactorz node --broker HOST --mqtt-port N --name NAME   (see docs/fleet.md)')
    .helpOption('-h, --help', 'show this help')
    .version(process.env.npm_package_version ?? '0.1.0', '-v, --version');
}

/** Parses argv (without node and script). Unknown flags and bad values → exit code 2 with a clear message. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliParseResult {
  let cmd: Command;
  try {
    cmd = buildCommand(env);
  } catch (e) {
    if (e instanceof EnvConfigError) return { kind: 'exit', code: 2, output: `error: ${e.message}\n` };
    throw e;
  }
  const parsed = parseCommand<CliFlags>(cmd, argv, 'Run `wactorz --help` for the list of flags.\n');
  // --ollama-model on the command line asks for Ollama; LLM_PROVIDER (a default) must not override it.
  if (parsed.kind === 'run' && parsed.flags.ollamaModel && cmd.getOptionValueSource('llm') === 'default') delete parsed.flags.llm;
  return parsed;
}
