/**
 * The headless hub's flags: the original's (`--llm`, `--ollama-model`, `--interface`, `--port`,
 * `--mqtt-broker`, `--mqtt-port`, `--monitor-port`, `--no-monitor`, `--reload`, tokens…) plus ours
 * (`--state-dir`, `--host`, `--redis-url`). Parsing never exits the process: it returns either the
 * flags or a usage error, and the caller exits with code 2.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseCommand, type ParseOutcome } from './parse-command.js';
import { INTERFACES, LLM_PROVIDERS, type InterfaceName, type LlmProviderName } from './config.js';

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
}

export type CliParseResult = ParseOutcome<CliFlags>;

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 0 || n > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a port number (0–65535).`);
  }
  return n;
}

export function buildCommand(env: NodeJS.ProcessEnv = process.env): Command {
  return new Command('wactorz')
    .description('Wactorz: an actor-model hub for multi-agent AI (headless). The dashboard runs on --monitor-port.')
    .addOption(new Option('--llm <provider>', 'LLM provider').choices(LLM_PROVIDERS as unknown as string[]))
    .option('--model <name>', 'model for the chosen provider (overrides the provider default)')
    .option('--ollama-model <name>', 'Ollama model, e.g. llama3')
    .option('--ollama-host <url>', 'Ollama server', env.OLLAMA_HOST ?? 'http://127.0.0.1:11434')
    .option('--nim-model <name>', 'NVIDIA NIM model, e.g. meta/llama-3.3-70b-instruct')
    .option('--gemini-model <name>', 'Gemini model, e.g. gemini-2.5-flash')
    .addOption(
      new Option('--interface <name>', 'user interface').choices(INTERFACES as unknown as string[]).default('cli'),
    )
    .option('--port <n>', 'REST port (with --interface rest)', parsePort, 8000)
    .option('--host <address>', 'bind address for MQTT, dashboard and REST', '127.0.0.1')
    .option('--mqtt-broker <host>', 'use an external MQTT broker instead of the embedded one')
    .option('--mqtt-port <n>', 'MQTT port (embedded broker listens here; or the external broker port)', parsePort, 1883)
    .option('--mqtt-username <user>', 'external broker username', env.MQTT_USERNAME)
    .option('--mqtt-password <password>', 'external broker password', env.MQTT_PASSWORD)
    .option('--monitor-port <n>', 'dashboard port (also /api and MQTT over WebSocket at /mqtt)', parsePort, 8888)
    .option('--no-monitor', 'do not serve the dashboard')
    .option('--reload', 'restart when source files change (development)', false)
    .option('--state-dir <dir>', 'where all state lives', env.WACTORZ_STATE_DIR ?? './state')
    .option('--redis-url <url>', 'Redis for ephemeral state (falls back to memory)', env.REDIS_URL)
    .option('--discord-token <token>', 'Discord bot token', env.DISCORD_BOT_TOKEN)
    .option('--telegram-token <token>', 'Telegram bot token', env.TELEGRAM_BOT_TOKEN)
    .addHelpText('after', '\nRemote node (agents on another machine, over an external broker):\n  wactorz node --broker HOST --mqtt-port N --name NAME   (see docs/fleet.md)')
    .helpOption('-h, --help', 'show this help')
    .version(process.env.npm_package_version ?? '0.1.0', '-v, --version');
}

/** Parses argv (without node and script). Unknown flags and bad values → exit code 2 with a clear message. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliParseResult {
  return parseCommand<CliFlags>(buildCommand(env), argv, 'Run `wactorz --help` for the list of flags.\n');
}
