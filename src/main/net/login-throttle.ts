/**
 * Failed logins from beyond this machine are throttled: after `maxFailures` wrong credentials
 * (a wrong token on REST, the dashboard or `/mqtt`; a wrong MQTT password) from one address
 * within `windowMs`, that address is refused — whatever it presents — until the oldest of those
 * failures is `windowMs` old. Guessing a 24-byte token was never practical; this keeps a LAN
 * peer from hammering the hub and from filling the log. Loopback peers are not throttled (a local
 * process that can guess can also read the token where the user keeps it), and one shared
 * throttle serves HTTP and MQTT so the two doors count together.
 */
import { canonicalAddress, isLoopbackPeer } from './addresses.js';

export interface LoginThrottleOptions {
  /** Failures allowed per address within the window (default 10). */
  maxFailures?: number;
  /** The window, in ms (default 10 minutes). */
  windowMs?: number;
  /** Addresses remembered at most (oldest forgotten first; default 10,000). */
  maxTracked?: number;
  now?: () => number;
}

export const DEFAULT_LOGIN_FAILURES = 10;
export const DEFAULT_LOGIN_WINDOW_MS = 10 * 60_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly max: number;
  private readonly windowMs: number;
  private readonly maxTracked: number;
  private readonly now: () => number;

  constructor(opts: LoginThrottleOptions = {}) {
    this.max = opts.maxFailures ?? DEFAULT_LOGIN_FAILURES;
    this.windowMs = opts.windowMs ?? DEFAULT_LOGIN_WINDOW_MS;
    this.maxTracked = opts.maxTracked ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** Ms until `address` may try again; 0 when it may now. */
  retryAfterMs(address: string | undefined): number {
    const key = keyOf(address);
    if (key === null) return 0;
    const recent = this.recent(key);
    if (recent.length < this.max) return 0;
    return Math.max(1, recent[recent.length - this.max]! + this.windowMs - this.now());
  }

  /** Records a failed login; returns true when the address is now throttled. */
  fail(address: string | undefined): boolean {
    const key = keyOf(address);
    if (key === null) return false;
    const recent = this.recent(key);
    recent.push(this.now());
    if (recent.length > this.max) recent.splice(0, recent.length - this.max);
    this.failures.delete(key); // re-insert: the map's order is least recently failed first
    this.failures.set(key, recent);
    while (this.failures.size > this.maxTracked) this.failures.delete(this.failures.keys().next().value!);
    return recent.length >= this.max;
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(key);
    return list;
  }
}

/** null for loopback (never throttled) and unknown peers. */
function keyOf(address: string | undefined): string | null {
  if (!address || isLoopbackPeer(address)) return null;
  try {
    return canonicalAddress(address);
  } catch {
    return address;
  }
}
