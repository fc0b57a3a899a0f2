/**
 * The hub's network edges, built once from the configuration and the environment and shared by
 * every surface: the access tokens (API_KEY, the dashboard token), the request policy (Host and
 * Origin rules for HTTP and WebSocket upgrades), one failed-login throttle for HTTP and MQTT, the
 * embedded broker's credential check, and the publish limits (retained bytes, rates). wactorz.ts
 * only wires them in; the policies live in the modules named here.
 *
 * Environment (all optional; defaults in docs/security.md):
 *   WACTORZ_ALLOWED_HOSTS      extra Host names (comma-separated; `*.example.org` allowed)
 *   WACTORZ_ALLOWED_ORIGINS    browser origins allowed to call the API and open /mqtt, /ws
 *   WACTORZ_MQTT_MAX_RETAINED_BYTES, WACTORZ_MQTT_MAX_RETAINED_TOTAL_BYTES
 *   WACTORZ_MQTT_PUBLISH_RATE (messages/s per client or agent), WACTORZ_MQTT_PUBLISH_BURST
 */
import type { IncomingMessage } from 'node:http';
import { BrokerAuth } from '../broker/broker-auth.js';
import { PublishLimits, type PublishLimitsOptions } from '../broker/publish-limits.js';
import { isLoopbackHost } from '../net/addresses.js';
import { LoginThrottle } from '../net/login-throttle.js';
import { AccessTokens, newToken } from './access-token.js';
import { type RequestPolicy, requestPolicyFor } from './request-policy.js';
import { upgradeGuard, type UpgradeVerdict } from './upgrade-guard.js';

export interface NetworkEdgesConfig {
  host: string;
  dashboardToken?: string | undefined;
  allowedHosts?: readonly string[] | undefined;
  allowedOrigins?: readonly string[] | undefined;
  /** The fleet pair for the embedded broker (WACTORZ_MQTT_USERNAME/PASSWORD or --mqtt-username/--mqtt-password). */
  mqttUsername?: string | undefined;
  mqttPassword?: string | undefined;
}

export interface NetworkEdges {
  tokens: AccessTokens;
  policy: RequestPolicy;
  throttle: LoginThrottle;
  limits: PublishLimits;
  /** The embedded broker's login check. */
  brokerAuth(): BrokerAuth;
  /** The verdict for `/mqtt` upgrades (Host, Origin, throttle; MQTT CONNECT checks credentials). */
  mqttUpgrade: (req: IncomingMessage) => UpgradeVerdict;
  /** The verdict for upgrades with no login of their own (e.g. `/ws`): Host, Origin and the token. */
  tokenUpgrade: (req: IncomingMessage) => UpgradeVerdict;
}

type Log = (level: 'debug' | 'info' | 'warning' | 'error', message: string) => void;

function positiveInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number (got "${raw}")`);
  return n;
}

/** Publish limits from the environment (unset → the documented defaults). */
export function publishLimitsFromEnv(env: NodeJS.ProcessEnv): PublishLimitsOptions {
  const rate = positiveInt(env, 'WACTORZ_MQTT_PUBLISH_RATE');
  const burst = positiveInt(env, 'WACTORZ_MQTT_PUBLISH_BURST');
  const opts: PublishLimitsOptions = {};
  const perMessage = positiveInt(env, 'WACTORZ_MQTT_MAX_RETAINED_BYTES');
  const total = positiveInt(env, 'WACTORZ_MQTT_MAX_RETAINED_TOTAL_BYTES');
  if (perMessage !== undefined) opts.maxRetainedMessageBytes = perMessage;
  if (total !== undefined) opts.maxRetainedTotalBytes = total;
  if (rate !== undefined) opts.ratePerSecond = rate;
  if (burst !== undefined) opts.burst = burst;
  return opts;
}

export function createNetworkEdges(config: NetworkEdgesConfig, env: NodeJS.ProcessEnv, log: Log): NetworkEdges {
  // Beyond loopback a dashboard token is always required: the given one, or a fresh one per start.
  const dashboard = config.dashboardToken || (isLoopbackHost(config.host) ? null : newToken());
  const tokens = new AccessTokens(env.API_KEY || undefined, dashboard);
  const policy = requestPolicyFor(config.host, env, { hosts: config.allowedHosts ?? [], origins: config.allowedOrigins ?? [] });
  const throttle = new LoginThrottle();
  const limits = new PublishLimits({ ...publishLimitsFromEnv(env), log: (level, message) => log(level, `mqtt: ${message}`) });
  let auth: BrokerAuth | undefined;
  return {
    tokens,
    policy,
    throttle,
    limits,
    brokerAuth: () =>
      (auth ??= new BrokerAuth(
        config.host,
        { username: env.WACTORZ_MQTT_USERNAME ?? config.mqttUsername, password: env.WACTORZ_MQTT_PASSWORD ?? config.mqttPassword, tokens: () => tokens.list() },
        { throttle, log: (level, message) => log(level, `mqtt: ${message}`) },
      )),
    mqttUpgrade: upgradeGuard({ policy, throttle }),
    tokenUpgrade: upgradeGuard({ policy, throttle, tokens: () => tokens.list() }),
  };
}

