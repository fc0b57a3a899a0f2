import { useState } from 'react';
import { ConfirmButton } from '../../components/ConfirmButton.js';
import { ApiError, hub, type AgentCommandName } from '../../connection/index.js';
import { navigate } from '../../hooks/useRoute.js';
import { useAgentsStore, type AgentView } from '../../stores/agents-store.js';
import { useAlertsStore } from '../../stores/alerts-store.js';

/** Pause/resume, restart, stop and delete, with the hub's answer as a toast. */
export function AgentActions({ agent }: { agent: AgentView }) {
  const [busy, setBusy] = useState<string | null>(null);
  const notify = useAlertsStore((s) => s.notify);

  const run = async (command: AgentCommandName) => {
    setBusy(command);
    try {
      if (command === 'delete' && (agent.kind === 'dynamic' || agent.kind === 'llm' || agent.kind === 'catalog')) {
        // Spawned agents leave the registry too, so they do not come back after a restart.
        try {
          await hub.rest.deleteAgent(agent.name);
        } catch (e) {
          if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 405)) throw e;
          await hub.rest.command(agent.name, 'delete');
        }
      } else {
        await hub.rest.command(agent.name, command);
      }
      notify(`${command} sent to ${agent.name}`, 'info', agent.name);
      if (command === 'delete') {
        useAgentsStore.getState().remove(agent.id);
        navigate({ view: 'agents' });
      } else void hub.refresh();
    } catch (e) {
      notify(`${command} ${agent.name}: ${(e as Error).message}`, 'warning', agent.name);
    } finally {
      setBusy(null);
    }
  };

  const protectedTitle = agent.protected ? 'Protected actors refuse this' : undefined;
  return (
    <div className="actions" data-testid="agent-actions">
      {agent.kind === 'dynamic' ? (
        <a className="btn" href={`#/editor/${encodeURIComponent(agent.name)}`} data-testid="open-code">
          Open code
        </a>
      ) : null}
      {agent.state === 'paused' ? (
        <button type="button" className="btn" disabled={busy !== null} onClick={() => void run('resume')} data-testid="action-resume">
          Resume
        </button>
      ) : (
        <button type="button" className="btn" disabled={busy !== null || agent.protected || agent.state !== 'running'} title={protectedTitle} onClick={() => void run('pause')} data-testid="action-pause">
          Pause
        </button>
      )}
      <button type="button" className="btn" disabled={busy !== null} onClick={() => void run('restart')} data-testid="action-restart">
        {busy === 'restart' ? 'Restarting…' : 'Restart'}
      </button>
      <ConfirmButton onConfirm={() => void run('stop')} disabled={busy !== null || agent.protected || agent.state === 'stopped'} title={protectedTitle} testId="action-stop">
        Stop
      </ConfirmButton>
      <ConfirmButton onConfirm={() => void run('delete')} disabled={busy !== null || agent.protected} title={protectedTitle} confirmLabel="Delete for good?" testId="action-delete">
        Delete
      </ConfirmButton>
    </div>
  );
}
