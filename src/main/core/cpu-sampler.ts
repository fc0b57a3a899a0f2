/**
 * Process CPU and memory for heartbeats. Every actor of the hub runs on the same thread, so
 * `cpu` is the hub process's share of one core over the last sampling interval (as psutil's
 * `cpu_percent()` reports it in the original: 100 = one core busy). One sample is shared by all
 * actors heartbeating within `minIntervalMs`, so 100 actors cost one measurement.
 */
export interface ProcessSample {
  /** Percent of one core used by the process since the previous sample. */
  cpu: number;
  /** Resident set size in MiB. */
  memory_mb: number;
}

export class CpuSampler {
  private lastUsage = process.cpuUsage();
  private lastTime = process.hrtime.bigint();
  private cached: ProcessSample | undefined;
  private cachedAt = 0;

  constructor(private readonly minIntervalMs = 500) {
    // First reading: average since process start, so the first heartbeat is meaningful.
    const u = this.lastUsage;
    const upMs = Math.max(1, process.uptime() * 1000);
    this.cached = { cpu: round1(((u.user + u.system) / 1000 / upMs) * 100), memory_mb: rssMb() };
    this.cachedAt = Date.now();
  }

  sample(): ProcessSample {
    const now = Date.now();
    if (this.cached && now - this.cachedAt < this.minIntervalMs) return this.cached;
    const t = process.hrtime.bigint();
    const usage = process.cpuUsage(this.lastUsage);
    const elapsedUs = Number(t - this.lastTime) / 1000;
    this.lastUsage = process.cpuUsage();
    this.lastTime = t;
    const cpu = elapsedUs > 0 ? ((usage.user + usage.system) / elapsedUs) * 100 : 0;
    this.cached = { cpu: round1(cpu), memory_mb: rssMb() };
    this.cachedAt = now;
    return this.cached;
  }
}

function rssMb(): number {
  return round1(process.memoryUsage.rss() / (1024 * 1024));
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
