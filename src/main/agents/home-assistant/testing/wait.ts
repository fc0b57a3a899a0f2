/** Polls until `check` returns a truthy value (or stops throwing); generous default for loaded CI machines. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Collects log lines so a test can assert what (and how often) something was reported. */
export function logCollector(): { lines: Array<{ level: string; message: string }>; log: (level: 'debug' | 'info' | 'warning' | 'error', message: string) => void; count: (level: string, re: RegExp) => number } {
  const lines: Array<{ level: string; message: string }> = [];
  return {
    lines,
    log: (level, message) => {
      lines.push({ level, message });
    },
    count: (level, re) => lines.filter((l) => l.level === level && re.test(l.message)).length,
  };
}
