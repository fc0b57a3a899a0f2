/**
 * Credentials for the embedded broker once the hub listens beyond loopback (a fleet's nodes connect
 * to it from other machines): every MQTT client — TCP or WebSocket — must present either the
 * configured username/password (WACTORZ_MQTT_USERNAME / WACTORZ_MQTT_PASSWORD, or --mqtt-username /
 * --mqtt-password) or, with any username, one of the hub's access tokens as its password (the
 * dashboard connects as `dashboard` with its token). On loopback nothing is required, as before.
 * The hub's own in-process bus never goes through this check.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AedesOptions } from 'aedes';
import { isLoopback } from '../../server/access-token.js';

export interface BrokerCredentials {
  username?: string | undefined;
  password?: string | undefined;
  /** Accepted as the password with any username (the dashboard token, API_KEY). */
  tokens: readonly string[];
}

function same(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** True when these credentials may connect. */
export function credentialsAccepted(creds: BrokerCredentials, username: string | undefined, password: Buffer | undefined): boolean {
  if (password === undefined) return false;
  const pw = password.toString('utf8');
  if (creds.username !== undefined && creds.password !== undefined && username !== undefined && same(username, creds.username) && same(pw, creds.password)) return true;
  return creds.tokens.some((t) => t.length > 0 && same(pw, t));
}

/**
 * The aedes options that enforce credentials when `host` is beyond loopback; `{}` on loopback.
 * Throws when the hub would be open with no way to log in (no password and no token).
 */
export function embeddedBrokerAuth(host: string, creds: BrokerCredentials): Pick<AedesOptions, 'authenticate'> {
  if (isLoopback(host)) return {};
  const hasPassword = creds.username !== undefined && creds.password !== undefined && creds.password.length > 0;
  if (!hasPassword && !creds.tokens.some((t) => t.length > 0)) {
    throw new Error(`the embedded MQTT broker listens on ${host}: set WACTORZ_MQTT_USERNAME and WACTORZ_MQTT_PASSWORD (or a dashboard token) so clients must log in`);
  }
  return {
    authenticate(_client, username, password, done) {
      if (credentialsAccepted(creds, username ?? undefined, password ?? undefined)) return done(null, true);
      const err = Object.assign(new Error('bad username or password'), { returnCode: 4 as const });
      done(err as Parameters<typeof done>[0], false);
    },
  };
}
