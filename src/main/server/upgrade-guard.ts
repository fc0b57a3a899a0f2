/**
 * The check every WebSocket upgrade on the hub's HTTP servers passes (`/mqtt` now, `/ws` for the
 * original's dashboard protocol): the request policy's Host and Origin rules, then — for surfaces
 * that have no login of their own — the access token (`?token=`, `X-API-Key`, Bearer), with failed
 * tokens from beyond loopback counted in the shared throttle. `/mqtt` passes no tokens here: MQTT's
 * CONNECT carries the credentials and the broker checks them (broker/broker-auth.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { LoginThrottle } from '../net/login-throttle.js';
import { isAuthorized, presentedToken } from './access-token.js';
import type { RequestPolicy } from './request-policy.js';

export interface UpgradeGuardOptions {
  policy: RequestPolicy;
  /** Tokens the upgrade itself must present (omit when the protocol logs in on its own). */
  tokens?: () => readonly string[];
  throttle?: LoginThrottle;
}

/** `true`, or the status and reason to refuse the upgrade with (the shape attachMqttWebSocket takes). */
export type UpgradeVerdict = true | { status: number; reason: string };

export function upgradeGuard(opts: UpgradeGuardOptions): (req: IncomingMessage) => UpgradeVerdict {
  return (req) => {
    const refusal = opts.policy.checkUpgrade(req);
    if (refusal) return { status: refusal.status, reason: `${refusal.error}: ${refusal.detail}` };
    const peer = req.socket.remoteAddress;
    const wait = opts.throttle?.retryAfterMs(peer) ?? 0;
    if (wait > 0) return { status: 429, reason: `too many failed logins from ${peer}; try again in ${Math.ceil(wait / 1000)} s` };
    const accepted = opts.tokens?.() ?? [];
    if (accepted.length > 0 && !isAuthorized(req, accepted)) {
      if (presentedToken(req) !== undefined) opts.throttle?.fail(peer);
      return { status: 401, reason: 'unauthorized: send the access token (?token=, X-API-Key or Authorization: Bearer)' };
    }
    return true;
  };
}
