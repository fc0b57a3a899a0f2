/**
 * `wactorz node` / `wactorz-node` flags. Parsing never exits: it returns the options or a usage
 * error (exit code 2), like the hub's cli-args.ts.
 *
 *   wactorz node --broker 192.168.1.10 --mqtt-port 1883 --name garage
 *   wactorz node --broker mqtts://broker.example.org:8883 --name pi --username pi --password … --ca-file ca.pem
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { parseCommand } from '../../config/parse-command.js';
import type { ExternalBusOptions } from '../../broker/external-bus-options.js';
import { NODE_NAME_PATTERN } from '../../../shared/node-protocol.js';

export interface NodeFlags {
  broker?: string;
  mqttPort?: number;
  name?: string;
  stateDir?: string;
  username?: string;
  password?: string;
  tls: boolean;
  caFile?: string;
  insecure: boolean;
  heartbeatMs: number;
}

export interface NodeCliOptions {
  name: string;
  stateDir: string;
  broker: ExternalBusOptions;
  heartbeatMs: number;
  /** The broker without credentials, for the startup lines. */
  brokerDisplay: string;
}

export type NodeArgsResult = { kind: 'run'; options: NodeCliOptions } | { kind: 'exit'; code: number; output: string };

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive whole number.`);
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port number (1–65535).`);
  return n;
}

export function buildNodeCommand(env: NodeJS.ProcessEnv): Command {
  return new Command('wactorz node')
    .description('A Wactorz node: hosts agents for a hub on another machine, over an MQTT broker (no LLM, dashboard or REST).')
    .option('--broker <host|url>', 'MQTT broker host, or a URL (mqtt://, mqtts://, ws://, wss://)', env.WACTORZ_BROKER)
    .option('--mqtt-port <n>', 'broker port (default 1883, 8883 with --tls)', port, env.WACTORZ_MQTT_PORT ? Number(env.WACTORZ_MQTT_PORT) : undefined)
    .option('--name <name>', "this node's name (nodes/<name>/…)", env.WACTORZ_NODE)
    .option('--state-dir <dir>', 'where the node keeps its agents and their state (default ./node-state/<name>)', env.WACTORZ_NODE_STATE_DIR)
    .option('--username <user>', 'broker username', env.WACTORZ_MQTT_USERNAME ?? env.MQTT_USERNAME)
    .option('--password <password>', 'broker password (prefer WACTORZ_MQTT_PASSWORD)', env.WACTORZ_MQTT_PASSWORD ?? env.MQTT_PASSWORD)
    .option('--tls', 'connect with TLS (mqtts) when --broker is a host name', false)
    .option('--ca-file <file>', 'CA certificate (PEM) that signed the broker certificate', env.WACTORZ_MQTT_CA)
    .option('--insecure', 'accept a broker certificate that does not verify (testing only)', false)
    .option('--heartbeat-ms <n>', 'heartbeat period of the node and its agents', positiveInt, 10_000)
    .helpOption('-h, --help', 'show this help');
}

export function parseNodeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): NodeArgsResult {
  const hint = 'Run `wactorz node --help` for the list of flags.\n';
  const parsed = parseCommand<NodeFlags>(buildNodeCommand(env), argv, hint);
  if (parsed.kind === 'exit') return parsed;
  const usage = (message: string): NodeArgsResult => ({ kind: 'exit', code: 2, output: `error: ${message}\n${hint}` });
  const flags = parsed.flags;
  if (!flags.broker) return usage('which broker? Give --broker <host|url> (or set WACTORZ_BROKER)');
  if (!flags.name) return usage("this node's name? Give --name <name> (or set WACTORZ_NODE)");
  if (!NODE_NAME_PATTERN.test(flags.name)) return usage(`invalid node name "${flags.name}": letters, digits, - and _ (up to 64)`);

  const broker: ExternalBusOptions = {};
  if (/^[a-z]+:\/\//i.test(flags.broker)) {
    let url: URL;
    try {
      url = new URL(flags.broker);
    } catch {
      return usage(`"${flags.broker}" is not a valid broker URL`);
    }
    if (flags.mqttPort !== undefined && !url.port) url.port = String(flags.mqttPort);
    broker.url = url.toString().replace(/\/$/, '');
  } else {
    broker.host = flags.broker;
    if (flags.mqttPort !== undefined) broker.port = flags.mqttPort;
    if (flags.tls) broker.tls = true;
  }
  if (flags.username !== undefined) broker.username = flags.username;
  if (flags.password !== undefined) broker.password = flags.password;
  if (flags.caFile) {
    try {
      broker.ca = readFileSync(flags.caFile, 'utf8');
    } catch (e) {
      return usage(`cannot read the CA file ${flags.caFile}: ${(e as Error).message}`);
    }
  }
  if (flags.insecure) broker.rejectUnauthorized = false;

  const display = broker.url
    ? (() => {
        const u = new URL(broker.url!);
        u.username = '';
        u.password = '';
        return u.toString().replace(/\/$/, '');
      })()
    : `${broker.tls ? 'mqtts' : 'mqtt'}://${broker.host}:${broker.port ?? (broker.tls ? 8883 : 1883)}`;
  return {
    kind: 'run',
    options: {
      name: flags.name,
      stateDir: flags.stateDir ?? join('node-state', flags.name),
      broker,
      heartbeatMs: flags.heartbeatMs,
      brokerDisplay: display,
    },
  };
}

export type NodeEnrollArgsResult = { kind: 'enroll'; name: string; stateDir: string; code: string } | { kind: 'exit'; code: number; output: string };

/**
 * `wactorz node enroll --name <name> [--state-dir <dir>] --code <code>`: stores the fleet key the
 * hub printed (POST /nodes/<name>/enroll). `--code -` (or no code at all) reads it from standard
 * input, and WACTORZ_NODE_ENROLL_CODE is read too, so the key need not be in the shell history.
 */
export function parseNodeEnrollArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): NodeEnrollArgsResult {
  const hint = 'Run `wactorz node enroll --help` for the list of flags.\n';
  const command = new Command('wactorz node enroll')
    .description("Stores this node's fleet key (the code `POST /nodes/<name>/enroll` on the hub answered with), so it runs its hub's signed commands.")
    .option('--name <name>', "this node's name (as enrolled on the hub)", env.WACTORZ_NODE)
    .option('--state-dir <dir>', 'the state dir the node runs with (default ./node-state/<name>)', env.WACTORZ_NODE_STATE_DIR)
    .option('--code <code>', 'the enrollment code; "-" reads it from standard input (also WACTORZ_NODE_ENROLL_CODE)', env.WACTORZ_NODE_ENROLL_CODE ?? '-')
    .helpOption('-h, --help', 'show this help');
  const parsed = parseCommand<{ name?: string; stateDir?: string; code: string }>(command, argv, hint);
  if (parsed.kind === 'exit') return parsed;
  const { name, stateDir, code } = parsed.flags;
  if (!name) return { kind: 'exit', code: 2, output: `error: which node? Give --name <name> (or set WACTORZ_NODE)\n${hint}` };
  if (!NODE_NAME_PATTERN.test(name)) return { kind: 'exit', code: 2, output: `error: invalid node name "${name}": letters, digits, - and _ (up to 64)\n${hint}` };
  return { kind: 'enroll', name, stateDir: stateDir ?? join('node-state', name), code };
}
