/**
 * The one backoff formula of the hub: attempt n waits `initialMs · factor^n`, capped at `maxMs`,
 * optionally jittered so that many clients that failed together do not retry in lockstep.
 *
 * Jitter is a ratio of the delay: `both` spreads it ±ratio around the schedule (the broker: its
 * clients reconnect together after a broker restart), `down` only shortens it by up to ratio (the
 * SDK retry schedule of Anthropic/OpenAI, Redis's "equal jitter" with 0.5), so a jittered delay
 * never exceeds the capped schedule. Delays are whole milliseconds, never negative nor above maxMs.
 */
export interface BackoffSchedule {
  /** The delay before the first retry (attempt 0). */
  initialMs: number;
  /** The largest delay. */
  maxMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  jitter?: { ratio: number; direction: 'both' | 'down' };
}

/** Past this the schedule is at its cap anyway; bounding it keeps `factor ** n` finite. */
const MAX_EXPONENT = 64;

/** The delay before retry number `attempt` (0-based). `random` is injectable for tests. */
export function backoffDelay(attempt: number, s: BackoffSchedule, random: () => number = Math.random): number {
  const factor = s.factor ?? 2;
  const scheduled = Math.min(s.maxMs, s.initialMs * factor ** Math.min(Math.max(attempt, 0), MAX_EXPONENT));
  let delay = scheduled;
  if (s.jitter && s.jitter.ratio > 0) {
    const ratio = Math.min(s.jitter.ratio, 1);
    delay = s.jitter.direction === 'both' ? scheduled * (1 + ratio * (random() * 2 - 1)) : scheduled * (1 - ratio * random());
  }
  return Math.round(Math.min(s.maxMs, Math.max(0, delay)));
}
