/**
 * `wactorz`: the headless hub. Parses the original's flags, starts the hub through the one
 * composition root, prints where everything is (dashboard, MQTT, REST, which LLM — or what to
 * set), runs the chosen interface, and shuts down gracefully on SIGINT/SIGTERM.
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { parseCliArgs, type CliFlags } from './config/cli-args.js';
import { EnvConfigError, mergeEnv, readDotEnv } from './config/env-config.js';
import type { WactorzConfigInput } from './config/config.js';
import { resolveLlmConfig } from './llm/llm-config.js';
import { startWactorz } from './wactorz.js';
import type { WactorzHandle } from './wactorz-handle.js';
import { startCliChat } from './interfaces/cli-chat.js';
import { InterfaceConfigError, type RunningChatInterface } from './interfaces/chat-interface.js';
import { BrokerListenError } from './broker/embedded-broker.js';
import { consoleLogger } from './base/logger.js';
import { redact } from './base/redact.js';

export function configFromFlags(flags: CliFlags, env: NodeJS.ProcessEnv): WactorzConfigInput {
  return {
    stateDir: flags.stateDir,
    host: flags.host,
    llm: resolveLlmConfig(
      { llm: flags.llm, model: flags.model, ollamaModel: flags.ollamaModel, ollamaHost: flags.ollamaHost, nimModel: flags.nimModel, geminiModel: flags.geminiModel },
      env,
    ),
    interface: flags.interface,
    restPort: flags.port,
    monitorPort: flags.monitor ? flags.monitorPort : null,
    mqtt: { broker: flags.mqttBroker, port: flags.mqttPort, username: flags.mqttUsername, password: flags.mqttPassword },
    redisUrl: flags.redisUrl,
    apiKey: env.API_KEY,
    dashboardToken: env.WACTORZ_DASHBOARD_TOKEN,
  };
}

/**
 * Flags and the environment the hub runs with: `.env` (or --env-file) under the process
 * environment, the flags over both (config/env-config.ts has the whole order).
 */
export function resolveCli(
  argv: string[],
  processEnv: NodeJS.ProcessEnv,
  cwd: string,
): { kind: 'run'; flags: CliFlags; env: NodeJS.ProcessEnv } | { kind: 'exit'; code: number; output: string } {
  let env: NodeJS.ProcessEnv;
  let envFile: string | null;
  try {
    const dotEnv = readDotEnv(argv, cwd);
    env = mergeEnv(processEnv, dotEnv);
    envFile = dotEnv.path;
  } catch (e) {
    if (e instanceof EnvConfigError) return { kind: 'exit', code: 2, output: `wactorz: ${e.message}\n` };
    throw e;
  }
  const parsed = parseCliArgs(argv, env);
  if (parsed.kind === 'exit') return parsed;
  return { kind: 'run', flags: { ...parsed.flags, ...(envFile ? { envFile } : {}) }, env };
}

/** What the user needs to know at start, one fact per line. */
export function startupLines(handle: WactorzHandle, flags: CliFlags): string[] {
  const lines = ['Wactorz is running.'];
  if (handle.dashboardUrl) {
    const token = handle.dashboardToken ? `/?token=${handle.dashboardToken}` : '';
    lines.push(`  Dashboard:  ${handle.dashboardUrl}${token}`);
  } else lines.push('  Dashboard:  off (--no-monitor)');
  lines.push(
    handle.mqttMode === 'embedded'
      ? `  MQTT:       embedded broker on ${flags.host}:${handle.mqttPort}${handle.dashboardUrl ? ` (WebSocket: ${handle.dashboardUrl.replace('http', 'ws')}/mqtt)` : ''}`
      : `  MQTT:       external broker ${redact(flags.mqttBroker ?? '')}:${handle.mqttPort}`,
  );
  if (handle.restUrl) lines.push(`  REST:       ${handle.restUrl}`);
  lines.push(`  ${handle.llmSummary}`);
  lines.push(`  State:      ${flags.stateDir}`);
  if (flags.envFile) lines.push(`  Env file:   ${flags.envFile}`);
  return lines;
}

/** --reload: run the hub under Node's watcher, which restarts it (and bin/wactorz.mjs rebuilds) on changes. */
function runWithReload(argv: string[]): Promise<never> {
  const script = process.argv[1]!;
  const child = spawn(process.execPath, ['--watch-path=src', '--watch-path=catalogue_agents', script, ...argv.filter((a) => a !== '--reload')], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  return new Promise(() => child.on('exit', (code) => process.exit(code ?? 0)));
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // `wactorz node …`: a remote node (src/main/nodes), not the hub.
  if (argv[0] === 'node') return (await import('./nodes/node-cli.js')).main(argv.slice(1), env);
  const resolved = resolveCli(argv, env, process.cwd());
  if (resolved.kind === 'exit') {
    (resolved.code === 0 ? process.stdout : process.stderr).write(resolved.output);
    process.exitCode = resolved.code;
    return;
  }
  const flags = resolved.flags;
  env = resolved.env;
  if (flags.reload) await runWithReload(argv);

  const log = consoleLogger(env.WACTORZ_LOG_LEVEL === 'debug' ? 'debug' : 'info');
  let handle: WactorzHandle;
  try {
    handle = await startWactorz(configFromFlags(flags, env), { log, env });
  } catch (e) {
    process.stderr.write(`wactorz: ${redact(startupError(e))}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(startupLines(handle, flags).join('\n') + '\n');
  // For bench/hub-startup: every core actor has sent its first heartbeat by now (spawn beats at once).
  if (env.WACTORZ_STARTUP_REPORT) process.stdout.write(`startup: ${Math.round(process.uptime() * 1000)} ms to first heartbeats of ${handle.system.list().length} actors\n`);

  let stopping = false;
  let chatInterface: RunningChatInterface | undefined;
  const shutdown = async (signal: string) => {
    if (stopping) {
      process.stderr.write('wactorz: forced exit\n');
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`wactorz: ${signal} — stopping agents, flushing state…\n`);
    // The chat service first, so replies in flight still reach main.
    await chatInterface?.stop();
    await handle.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  if (flags.interface === 'cli') {
    const interactive = Boolean(process.stdin.isTTY);
    if (interactive) process.stdout.write('Type a message, /help for commands, Ctrl-D to quit.\n');
    const cli = startCliChat({ chat: (text, onChunk) => handle.processUserInput(text, { interface: 'cli', onChunk }), interactive });
    await cli.done;
    // A closed pipe is not a request to stop: the dashboard and MQTT keep serving until a signal.
    if (interactive) await shutdown('end of input');
  } else if (flags.interface === 'discord' || flags.interface === 'telegram' || flags.interface === 'whatsapp') {
    // Loaded only when chosen: each adapter brings its service's SDK.
    const { startChatInterface } = await import('./interfaces/start-chat-interface.js');
    const name = flags.interface;
    try {
      chatInterface = await startChatInterface(name, {
        processUserInput: (text, ctx) => handle.processUserInput(text, ctx),
        log,
        env,
        telegramToken: flags.telegramToken,
        telegramAllowedUserId: flags.telegramAllowedUserId,
        discordToken: flags.discordToken,
        host: flags.host,
        port: flags.port,
      });
      process.stdout.write(`  ${chatInterface.description}\n`);
    } catch (e) {
      process.stderr.write(`wactorz: ${e instanceof Error ? e.message : String(e)}\n`);
      await handle.stop();
      process.exitCode = e instanceof InterfaceConfigError ? 2 : 1;
    }
  }
}

function startupError(e: unknown): string {
  if (e instanceof BrokerListenError && e.code === 'EADDRINUSE') {
    return `${e.message} — choose another with --mqtt-port <port>, or use that broker with --mqtt-broker ${e.host === '0.0.0.0' ? '127.0.0.1' : e.host}.`;
  }
  return e instanceof Error ? e.message : String(e);
}

// Run directly (`node out/headless/cli.js …`) as well as through bin/wactorz.mjs.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main(process.argv.slice(2));
