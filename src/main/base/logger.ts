/**
 * The one logger type of the hub. A component never writes to the console itself: it takes a
 * `Logger` and the host decides where lines go (stderr for the CLI, the desktop log file, nothing
 * in tests). A component that only ever logs some levels says so with `Logger<'info' | 'error'>`,
 * so a host may hand it a narrower function. The levels are those of the wire (`LOG_LEVELS`, the
 * `agents/{id}/logs` payload), so an actor's log line and the hub's mean the same thing.
 */
import type { LOG_LEVELS } from '../../shared/mqtt-payloads.js';

export type LogLevel = (typeof LOG_LEVELS)[number];

export type Logger<L extends LogLevel = LogLevel> = (level: L, message: string) => void;

const ORDER: readonly LogLevel[] = ['debug', 'info', 'warning', 'error'];

/** The hub's own log lines on stderr, one format for every part, from `minLevel` up. */
export function consoleLogger(minLevel: LogLevel = 'info'): Logger {
  const min = ORDER.indexOf(minLevel);
  return (level, message) => {
    if (ORDER.indexOf(level) < min) return;
    process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${level.padEnd(7)} ${message}\n`);
  };
}

export const silentLogger: Logger = () => {};
