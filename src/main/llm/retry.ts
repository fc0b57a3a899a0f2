/**
 * Retry with exponential backoff and jitter, for the SDK that has none built in (ollama). Same
 * schedule as the Anthropic/OpenAI SDKs: 0.5 s, 1 s, 2 s … capped at 8 s, minus up to 25 % jitter.
 */
import { backoffDelay } from '../base/backoff.js';

export interface RetryPolicy {
  maxRetries: number;
  /** First delay; doubles per attempt. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export function backoffDelayMs(attempt: number, policy: RetryPolicy): number {
  return backoffDelay(attempt, { initialMs: policy.baseDelayMs ?? 500, maxMs: policy.maxDelayMs ?? 8_000, jitter: { ratio: 0.25, direction: 'down' } });
}

/** Resolves after ms, or rejects as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs fn; when it throws something `isRetryable` accepts, waits and tries again. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy & { signal?: AbortSignal; isRetryable: (err: unknown) => boolean },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= policy.maxRetries || policy.signal?.aborted || !policy.isRetryable(err)) throw err;
      await sleep(backoffDelayMs(attempt, policy), policy.signal);
    }
  }
}
