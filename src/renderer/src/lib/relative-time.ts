/** "3 s ago", "5 min ago"… for a past epoch-seconds timestamp, relative to `nowMs`. */
export function relativeTime(epochSeconds: number | null | undefined, nowMs: number): string {
  if (epochSeconds === null || epochSeconds === undefined) return 'never';
  const s = Math.round(nowMs / 1000 - epochSeconds);
  if (s < 2) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** Seconds of uptime as "2 h 5 min", "40 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

// One formatter for every call: building an Intl.DateTimeFormat per log line is what costs.
let clockFormat: Intl.DateTimeFormat | null = null;

// A log tail shows many lines of the same second: the last one formatted is kept.
let lastSecond = NaN;
let lastClock = '';

/** Wall-clock time of an epoch-seconds timestamp, HH:MM:SS in the user's locale. */
export function clockTime(epochSeconds: number): string {
  const second = Math.floor(epochSeconds);
  if (second === lastSecond) return lastClock;
  clockFormat ??= new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  lastSecond = second;
  lastClock = clockFormat.format(second * 1000);
  return lastClock;
}

export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return '—';
  if (usd === 0) return '$0';
  if (usd < 0.0001) return '< $0.0001';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}
