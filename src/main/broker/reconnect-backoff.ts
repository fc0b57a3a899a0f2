/**
 * Exponential backoff with a cap and ±jitter, for reconnecting to a broker that went away: the
 * attempt counter over base/backoff.ts's formula (many clients reconnect together after a broker
 * restart, so the jitter spreads both ways).
 */
import { backoffDelay } from '../base/backoff.js';

export interface BackoffOptions {
  /** Delay before the first retry (default 500 ms). */
  initialMs?: number;
  /** Largest delay between retries (default 30 s). */
  maxMs?: number;
  /** Growth per failed attempt (default 2). */
  factor?: number;
  /** ± fraction of randomness, so many clients don't retry in lockstep (default 0.2). */
  jitter?: number;
}

export class ReconnectBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private attempt = 0;

  constructor(opts: BackoffOptions = {}, private readonly random: () => number = Math.random) {
    this.initialMs = Math.max(1, opts.initialMs ?? 500);
    this.maxMs = Math.max(this.initialMs, opts.maxMs ?? 30_000);
    this.factor = Math.max(1, opts.factor ?? 2);
    this.jitter = Math.min(Math.max(opts.jitter ?? 0.2, 0), 1);
  }

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt; each call grows it until the cap. */
  next(): number {
    const delay = backoffDelay(this.attempt++, { initialMs: this.initialMs, maxMs: this.maxMs, factor: this.factor, jitter: { ratio: this.jitter, direction: 'both' } }, this.random);
    return Math.max(1, delay);
  }

  reset(): void {
    this.attempt = 0;
  }
}
