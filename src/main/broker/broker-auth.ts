/**
 * Who may connect to the embedded broker. Credentials are required — from every MQTT client, TCP
 * and WebSocket, loopback included — as soon as the hub has any: API_KEY, a dashboard token, or
 * the fleet pair WACTORZ_MQTT_USERNAME / WACTORZ_MQTT_PASSWORD. A client then logs in with either
 * that pair, or any username and one of the tokens as its password (the dashboard connects as
 * `dashboard` with its token). Beyond loopback credentials are always required: a hub bound to
 * 0.0.0.0 with none configured refuses to start. With none configured on loopback nothing is
 * asked, as before. The hub's own in-process bus never connects, so it is never asked.
 *
 * Tokens are read at each login, so a rotated token takes effect at once; `closeRevoked` ends the
 * sessions that logged in with a token no longer accepted. Failed logins from beyond loopback
 * count in the shared LoginThrottle (net/login-throttle.ts), with REST's.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Aedes, AedesOptions, Client } from 'aedes';
import { isLoopbackHost } from '../net/addresses.js';
import type { LoginThrottle } from '../net/login-throttle.js';
import type { Logger } from '../base/logger.js';

export interface BrokerCredentials {
  username?: string | undefined;
  password?: string | undefined;
  /** Accepted as the password with any username (the dashboard token, API_KEY); read at each login. */
  tokens: () => readonly string[];
}

export interface BrokerAuthOptions {
  throttle?: LoginThrottle;
  log?: Logger;
}

const LOG_EVERY_MS = 60_000;

function same(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function hasPair(creds: BrokerCredentials): boolean {
  return creds.username !== undefined && creds.password !== undefined && creds.password.length > 0;
}

/** What a client logged in with: 'pair', the token it presented, or null when refused. */
function matchCredentials(creds: BrokerCredentials, username: string | undefined, password: Buffer | undefined): { token: string } | 'pair' | null {
  if (password === undefined) return null;
  const pw = password.toString('utf8');
  if (hasPair(creds) && username !== undefined && same(username, creds.username!) && same(pw, creds.password!)) return 'pair';
  const token = creds.tokens().find((t) => t.length > 0 && same(pw, t));
  return token !== undefined ? { token } : null;
}

/** True when these credentials may connect. */
export function credentialsAccepted(creds: BrokerCredentials, username: string | undefined, password: Buffer | undefined): boolean {
  return matchCredentials(creds, username, password) !== null;
}

/** True when clients of a broker on `host` must log in (see the file comment). */
export function brokerAuthRequired(host: string, creds: BrokerCredentials): boolean {
  return !isLoopbackHost(host) || hasPair(creds) || creds.tokens().some((t) => t.length > 0);
}

/** The address a client connects from (TCP socket, or the WebSocket's HTTP request). */
export function peerAddress(client: Client | null | undefined): string | undefined {
  if (!client) return undefined;
  const conn = client.conn as { remoteAddress?: string };
  return conn.remoteAddress ?? client.req?.socket?.remoteAddress;
}

export class BrokerAuth {
  /** The token each token-authenticated client used (for closeRevoked). */
  private readonly tokenOf = new WeakMap<Client, string>();
  private readonly lastLogged = new Map<string, number>();

  constructor(
    private readonly host: string,
    private readonly creds: BrokerCredentials,
    private readonly opts: BrokerAuthOptions = {},
  ) {
    if (!isLoopbackHost(host) && !hasPair(creds) && !creds.tokens().some((t) => t.length > 0)) {
      throw new Error(`the embedded MQTT broker listens on ${host}: set WACTORZ_MQTT_USERNAME and WACTORZ_MQTT_PASSWORD (or a dashboard token) so clients must log in`);
    }
  }

  get required(): boolean {
    return brokerAuthRequired(this.host, this.creds);
  }

  /** The aedes `authenticate` hook (pass it whatever `required` says: it lets everyone in while nothing is configured). */
  readonly authenticate: NonNullable<AedesOptions['authenticate']> = (client, username, password, done) => {
    if (!this.required) return done(null, true);
    const peer = peerAddress(client);
    const wait = this.opts.throttle?.retryAfterMs(peer) ?? 0;
    if (wait > 0) {
      this.note(peer, `MQTT login from ${peer} refused: too many failed logins (again in ${Math.ceil(wait / 1000)} s)`);
      return done(Object.assign(new Error('too many failed logins'), { returnCode: 5 as const }) as Parameters<typeof done>[0], false);
    }
    const match = matchCredentials(this.creds, username ?? undefined, password ?? undefined);
    if (match) {
      if (match !== 'pair') this.tokenOf.set(client, match.token);
      return done(null, true);
    }
    if (password !== undefined && password !== null) this.opts.throttle?.fail(peer);
    this.note(peer, `MQTT login refused for client ${client.id || '?'} from ${peer ?? '?'}: ${password ? 'bad username or password' : 'no credentials (this hub requires them)'}`);
    done(Object.assign(new Error('bad username or password'), { returnCode: 4 as const }) as Parameters<typeof done>[0], false);
  };

  /** Closes the sessions that logged in with a token that is no longer accepted (after a rotation). */
  closeRevoked(aedes: Aedes): number {
    const accepted = this.creds.tokens();
    let closed = 0;
    for (const client of Object.values((aedes as unknown as { clients: Record<string, Client> }).clients)) {
      const token = this.tokenOf.get(client);
      if (token !== undefined && !accepted.some((t) => same(t, token))) {
        client.close();
        closed++;
      }
    }
    return closed;
  }

  private note(peer: string | undefined, message: string): void {
    const key = peer ?? '?';
    const now = Date.now();
    if (now - (this.lastLogged.get(key) ?? 0) < LOG_EVERY_MS) return;
    if (this.lastLogged.size > 1_000) this.lastLogged.clear();
    this.lastLogged.set(key, now);
    this.opts.log?.('warning', message);
  }
}
