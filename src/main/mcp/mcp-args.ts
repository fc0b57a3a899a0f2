/** Flags of `wactorz-mcp`: which hub to talk to and how. Parsing never exits; the caller does. */
import { Command, InvalidArgumentError } from 'commander';
import { parseCommand, type ParseOutcome } from '../config/parse-command.js';

export interface McpFlags {
  url: string;
  apiKey?: string;
  timeout: number;
}

export type McpParseResult = ParseOutcome<McpFlags>;

function parseSeconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${v}" is not a positive number of seconds.`);
  return n;
}

function parseUrl(v: string): string {
  if (!/^https?:\/\/[^/]+/.test(v)) throw new InvalidArgumentError(`"${v}" is not an http(s) URL, e.g. http://127.0.0.1:8000.`);
  return v;
}

export function parseMcpArgs(argv: string[], env: NodeJS.ProcessEnv): McpParseResult {
  const cmd = new Command('wactorz-mcp')
    .description('Model Context Protocol server (stdio) for a running Wactorz hub, backed by its REST API.')
    .option('--url <url>', 'the hub\'s REST API (wactorz --interface rest), or http://host:8888/api for the dashboard\'s', parseUrl, env.WACTORZ_URL ?? 'http://127.0.0.1:8000')
    .option('--api-key <key>', "the hub's API_KEY or dashboard token, when it requires one", env.API_KEY)
    .option('--timeout <seconds>', 'how long one call may take (chat with a slow LLM takes a while)', parseSeconds, 300)
    .helpOption('-h, --help', 'show this help')
    .version(process.env.npm_package_version ?? '0.1.0', '-v, --version');
  return parseCommand<McpFlags>(cmd, argv);
}
