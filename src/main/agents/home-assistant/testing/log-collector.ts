import type { Logger } from '../../../base/logger.js';

/** Collects log lines so a test can assert what (and how often) something was reported. */
export function logCollector(): { lines: Array<{ level: string; message: string }>; log: Logger; count: (level: string, re: RegExp) => number } {
  const lines: Array<{ level: string; message: string }> = [];
  return {
    lines,
    log: (level, message) => {
      lines.push({ level, message });
    },
    count: (level, re) => lines.filter((l) => l.level === level && re.test(l.message)).length,
  };
}
