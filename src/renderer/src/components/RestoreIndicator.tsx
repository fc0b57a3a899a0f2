/**
 * How far the hub is in bringing its agents back after a start (GET /health's `restore` and the
 * retained system/restore, whichever is newer): a progress pill while it restores, a warning that
 * stays when some could not come back, nothing once all are back. The hub answers meanwhile, so
 * this is the one sign that a short agent list is still filling up.
 */
import type { RestoreProgress } from '../../../shared/mqtt-payloads.js';
import { useConnectionStore } from '../stores/connection-store.js';

export interface RestoreView {
  tone: 'busy' | 'warn';
  label: string;
  title: string;
  /** 0–1, while restoring. */
  fraction: number | null;
}

/** What the pill says, or null when there is nothing to say. */
export function restoreView(p: RestoreProgress | null): RestoreView | null {
  if (!p || p.total === 0) return null;
  const back = p.restored + p.failed;
  const failed = p.failed > 0 ? `; ${p.failed} could not be restored (see their logs)` : '';
  if (p.state === 'restoring') {
    return { tone: 'busy', label: `Restoring agents ${back}/${p.total}`, title: `Bringing agents back after the hub started: ${p.restored} back, ${p.pending} still starting${failed}`, fraction: back / p.total };
  }
  if (p.failed > 0) return { tone: 'warn', label: `${p.failed} agent${p.failed === 1 ? '' : 's'} not restored`, title: `After the hub started, ${p.restored} of ${p.total} agents came back${failed}`, fraction: null };
  return null;
}

export function RestoreIndicator() {
  return <RestorePill view={restoreView(useConnectionStore((s) => s.restore))} />;
}

export function RestorePill({ view }: { view: RestoreView | null }) {
  if (!view) return null;
  return (
    <span className={`conn restore ${view.tone}`} title={view.title} data-testid="restore-state" role="status" aria-live="polite">
      {view.fraction !== null ? <progress max={1} value={view.fraction} aria-label="Agents restored" /> : <span className="dot" />}
      {view.label}
    </span>
  );
}
