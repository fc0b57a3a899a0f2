import type { LogLevel } from '../../connection/topic-router.js';
import type { LogLine } from '../../stores/logs-store.js';

export const ALL_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warning', 'error'];

/** Lines at the chosen levels whose text (or agent name) contains every word of `query`. */
export function filterLogs(lines: readonly LogLine[], levels: ReadonlySet<LogLevel>, query: string, nameOf?: (id: string) => string): readonly LogLine[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0 && levels.size === ALL_LEVELS.length) return lines;
  return lines.filter((l) => {
    if (!levels.has(l.level)) return false;
    if (words.length === 0) return true;
    const hay = `${l.message} ${l.type} ${nameOf ? nameOf(l.actorId) : l.actorId}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
