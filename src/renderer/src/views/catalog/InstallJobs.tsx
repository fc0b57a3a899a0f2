/**
 * Package installs as the InstallerAgent reports them on MQTT (`installer/progress`): running jobs
 * with their progress, failures with the reason, and requests waiting for the user's approval —
 * nothing an LLM asks for installs until a person approves it here.
 */
import { useState } from 'react';
import { hub } from '../../connection/index.js';
import { useNow } from '../../hooks/useNow.js';
import { relativeTime } from '../../lib/relative-time.js';
import { useAlertsStore } from '../../stores/alerts-store.js';
import { useCatalogStore, type InstallJob } from '../../stores/catalog-store.js';

const LABEL: Record<InstallJob['status'], string> = {
  pending: 'Waiting',
  running: 'Installing',
  done: 'Installed',
  failed: 'Failed',
  approval: 'Needs your approval',
};

export function InstallProgress({ job }: { job: InstallJob }) {
  const pct = job.progress !== undefined ? Math.round(job.progress * 100) : null;
  const [busy, setBusy] = useState(false);
  const notify = useAlertsStore((s) => s.notify);
  const approve = async () => {
    setBusy(true);
    try {
      await hub.rest.approveAndInstall(job.packages, job.agent);
      notify(`Approved ${job.packages.join(', ')}`, 'info', 'installer');
    } catch (e) {
      notify(`Install of ${job.packages.join(', ')}: ${(e as Error).message}`, 'warning', 'installer');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="install-job" data-testid="install-progress" data-status={job.status}>
      <div className="row small">
        <b>{LABEL[job.status]}</b>
        <span className="mono">{job.packages.join(', ') || '—'}</span>
        {job.agent || job.recipe ? <span className="muted">for {job.agent ?? job.recipe}</span> : null}
        <span className="grow" />
        {pct !== null && job.status === 'running' ? <span className="muted">{pct}%</span> : null}
      </div>
      {job.status === 'running' || job.status === 'pending' || job.status === 'done' ? (
        <div className={`progress ${pct === null && job.status !== 'done' ? 'indeterminate' : ''}`}>
          <div style={{ width: pct !== null ? `${pct}%` : job.status === 'done' ? '100%' : undefined }} />
        </div>
      ) : null}
      {job.message ? <div className={`small ${job.status === 'failed' ? 'error' : 'muted'}`}>{job.message}</div> : null}
      {job.status === 'approval' ? (
        <div className="row">
          <button type="button" className="btn small primary" disabled={busy || job.packages.length === 0} onClick={() => void approve()} data-testid="install-approve">
            {busy ? 'Installing…' : 'Approve and install'}
          </button>
          <span className="small muted">Adds them to the allowlist of packages agents may use.</span>
        </div>
      ) : null}
    </div>
  );
}

export function InstallJobs() {
  const installs = useCatalogStore((s) => s.installs);
  const now = useNow(10_000);
  // Finished jobs stay listed for ten minutes.
  const shown = installs.filter((j) => j.status === 'approval' || j.status === 'running' || j.status === 'pending' || now / 1000 - j.updated < 600);
  if (shown.length === 0) return null;
  return (
    <div className="card" data-testid="install-jobs" style={{ marginBottom: 14 }}>
      <h3>Package installs</h3>
      <div style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
        {shown.map((j) => (
          <div key={j.key}>
            <InstallProgress job={j} />
            <div className="small faint">{relativeTime(j.updated, now)}</div>
          </div>
        ))}
      </div>
    </div>
  );
}
