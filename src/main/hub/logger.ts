/** The hub's own log lines (stderr), one format for every part. Actor logs also go to MQTT. */
export type HubLogLevel = 'debug' | 'info' | 'warning' | 'error';
export type HubLogger = (level: HubLogLevel, message: string) => void;

export function consoleLogger(minLevel: HubLogLevel = 'info'): HubLogger {
  const order: HubLogLevel[] = ['debug', 'info', 'warning', 'error'];
  const min = order.indexOf(minLevel);
  return (level, message) => {
    if (order.indexOf(level) < min) return;
    process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${level.padEnd(7)} ${message}\n`);
  };
}

export const silentLogger: HubLogger = () => {};
