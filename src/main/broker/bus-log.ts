/** Where the buses and the broker report problems; the host injects the hub's logger. */
import type { Logger } from '../base/logger.js';

/** Used when the host injects nothing: warnings and errors to stderr, the rest dropped. */
export const consoleBusLogger: Logger = (level, message) => {
  if (level === 'error') console.error(`[mqtt] ${message}`);
  else if (level === 'warning') console.warn(`[mqtt] ${message}`);
};

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
