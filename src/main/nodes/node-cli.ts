/**
 * `wactorz node …` / `wactorz-node …`: runs a Wactorz node (node/wactorz-node.ts) until SIGINT or
 * SIGTERM, then stops its agents (state flushed) and leaves the broker.
 * `wactorz node enroll …` stores the node's fleet key first (trust/node-fleet-key.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { consoleLogger } from '../base/logger.js';
import { redact, redactingLogger } from '../base/redact.js';
import { parseNodeArgs, parseNodeEnrollArgs } from './node/node-args.js';
import { installEnrollment } from './trust/node-fleet-key.js';
import { startNode, type RunningNode } from './node/wactorz-node.js';

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (argv[0] === 'enroll') return enroll(argv.slice(1), env);
  const parsed = parseNodeArgs(argv, env);
  if (parsed.kind === 'exit') {
    (parsed.code === 0 ? process.stdout : process.stderr).write(parsed.output);
    process.exitCode = parsed.code;
    return;
  }
  const o = parsed.options;
  findSandboxWorker(env);
  const log = redactingLogger(consoleLogger(env.WACTORZ_LOG_LEVEL === 'debug' ? 'debug' : 'info'));
  let node: RunningNode;
  try {
    node = await startNode({ name: o.name, stateDir: o.stateDir, broker: o.broker, heartbeatMs: o.heartbeatMs, log });
  } catch (e) {
    process.stderr.write(`wactorz node: ${redact(e instanceof Error ? e.message : String(e))}\n`);
    process.exitCode = 1;
    return;
  }
  const agents = node.agents.names();
  process.stdout.write(
    [
      `Wactorz node "${o.name}" is running.`,
      `  Broker:  ${o.broker.username ? `${o.broker.username}@` : ''}${o.brokerDisplay} (reconnects by itself)`,
      `  Agents:  ${agents.length ? agents.join(', ') : 'none yet (spawn one from the hub with "node": "' + o.name + '")'}`,
      `  State:   ${o.stateDir}`,
    ].join('\n') + '\n',
  );

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) {
      process.stderr.write('wactorz node: forced exit\n');
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`wactorz node: ${signal} — stopping agents, flushing state…\n`);
    await node.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

async function enroll(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const parsed = parseNodeEnrollArgs(argv, env);
  if (parsed.kind === 'exit') {
    (parsed.code === 0 ? process.stdout : process.stderr).write(parsed.output);
    process.exitCode = parsed.code;
    return;
  }
  try {
    const code = parsed.code === '-' ? await readStdin() : parsed.code;
    const { kid } = await installEnrollment(parsed.stateDir, parsed.name, code);
    process.stdout.write(`Node "${parsed.name}" is enrolled (fleet key ${kid}, kept in ${parsed.stateDir}/secrets.json, owner-only).\nStart it: wactorz node --name ${parsed.name} --state-dir ${parsed.stateDir} --broker <host> …\n`);
  } catch (e) {
    process.stderr.write(`wactorz node enroll: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Paste the enrollment code, then Enter: ');
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.trim();
}

/**
 * The agents' sandbox worker is a plain .mjs file beside its module in the sources. Run from a
 * bundle (out/headless) that does not carry a copy, point the sandbox at the sources' one.
 */
function findSandboxWorker(env: NodeJS.ProcessEnv): void {
  if (env.WACTORZ_SANDBOX_WORKER || process.env.WACTORZ_SANDBOX_WORKER) return;
  const here = fileURLToPath(import.meta.url);
  if (!/[\\/]out[\\/]headless[\\/][^\\/]+$/.test(here)) return;
  const bundled = fileURLToPath(new URL('./worker/sandbox-worker.mjs', import.meta.url));
  const source = fileURLToPath(new URL('../../src/main/agents/dynamic/sandbox/worker/sandbox-worker.mjs', import.meta.url));
  if (!existsSync(bundled) && existsSync(source)) process.env.WACTORZ_SANDBOX_WORKER = source;
}

// Run directly (`node out/headless/node-cli.js …`, `tsx src/main/nodes/node-cli.ts …`) as well as through
// bin/wactorz-node.mjs or `wactorz node`. Bundled into cli.js this module shares its URL: the file name decides.
if (process.argv[1] && /node-cli\.[cm]?[jt]s$/.test(process.argv[1]) && import.meta.url === pathToFileURL(process.argv[1]).href) void main(process.argv.slice(2));
