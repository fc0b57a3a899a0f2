/**
 * Log lines for refused fleet messages: every refusal is logged, but a flood of forgeries (one
 * client publishing as fast as it can) costs one line per topic and reason every 10 s, with the
 * number left out.
 */
export type FleetLog = (level: 'debug' | 'info' | 'warning' | 'error', message: string) => void;

const WINDOW_MS = 10_000;

export class RefusalLog {
  private readonly seen = new Map<string, { at: number; skipped: number }>();

  constructor(private readonly log: FleetLog) {}

  refuse(level: 'info' | 'warning', topic: string, reason: string): void {
    const key = `${topic}\0${reason}`;
    const now = Date.now();
    const s = this.seen.get(key);
    if (s && now - s.at < WINDOW_MS) {
      s.skipped++;
      return;
    }
    const more = s?.skipped ? ` (and ${s.skipped} more like it)` : '';
    this.seen.set(key, { at: now, skipped: 0 });
    if (this.seen.size > 1_000) this.seen.delete(this.seen.keys().next().value!);
    this.log(level, `refused a message on ${topic}: ${reason}${more}`);
  }
}
