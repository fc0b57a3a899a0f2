/**
 * The one polling helper of ours. Tests wait on conditions, never on the clock: the outside world
 * (a socket, a child process, a broker, an actor on a later turn) is awaited with this or with
 * vitest's own `vi.waitFor` / `expect.poll`; timers of our own code run on virtual time
 * (`vi.useFakeTimers`, an injected clock). A negative check ("nothing arrives") waits for a later
 * marker that is ordered after the thing that must not arrive — not for a pause.
 *
 * What this adds over `vi.waitUntil`: a check that throws counts as "not yet" (an ask to an agent
 * still starting, a refused connection), the timeout error names what was awaited and the last
 * error seen, and the default timeout suits a loaded 2-core CI machine (vitest's is 1 s). It runs on
 * `vi.waitFor`, so under fake timers each poll also advances virtual time by the interval.
 */
import { vi } from 'vitest';

/** Polls `check` until it returns something truthy, and returns that value. */
export async function waitUntil<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  let last: unknown;
  try {
    return await vi.waitFor(
      async () => {
        let v: T;
        try {
          v = await check();
          last = undefined;
        } catch (e) {
          last = e;
          throw e;
        }
        if (!v) throw new Error('not yet');
        return v as NonNullable<T>;
      },
      { timeout: timeoutMs, interval: 10 },
    );
  } catch {
    const cause = last instanceof Error ? `: ${last.message}` : '';
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
  }
}
