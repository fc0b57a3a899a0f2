/** Prometheus text exposition (format 0.0.4) for the hub's per-actor metrics. */
export interface PromSample {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  values: { labels: Record<string, string>; value: number }[];
}

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function formatPrometheus(samples: PromSample[]): string {
  const lines: string[] = [];
  for (const s of samples) {
    lines.push(`# HELP ${s.name} ${s.help}`, `# TYPE ${s.name} ${s.type}`);
    for (const v of s.values) {
      const labels = Object.entries(v.labels)
        .map(([k, val]) => `${k}="${escapeLabel(val)}"`)
        .join(',');
      lines.push(`${s.name}${labels ? `{${labels}}` : ''} ${Number.isFinite(v.value) ? v.value : 0}`);
    }
  }
  return lines.join('\n') + '\n';
}
