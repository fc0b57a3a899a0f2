/** Active pipelines (GET /pipelines): the request, each agent with its live state, and the topics between them. */
import { useCallback, useEffect, useMemo } from 'react';
import { hub } from '../../connection/index.js';
import { useNow } from '../../hooks/useNow.js';
import { relativeTime } from '../../lib/relative-time.js';
import { useThrottledStore } from '../../hooks/useThrottledStore.js';
import { findAgent, healthTag, useAgentsStore } from '../../stores/agents-store.js';
import { usePipelinesStore } from '../../stores/pipelines-store.js';
import type { PipelineSummary } from '../../../../shared/rest.js';
import { pipelineLinks } from './pipeline-model.js';

const RELOAD_MS = 10_000;

async function loadPipelines(): Promise<void> {
  const st = usePipelinesStore.getState();
  st.setLoading(true);
  try {
    st.setPipelines((await hub.rest.pipelines()).pipelines);
  } catch (e) {
    st.setError((e as Error).message);
  } finally {
    st.setLoading(false);
  }
}

function AgentLink({ name }: { name: string | null }) {
  if (name === null) return <span className="muted small">outside</span>;
  return (
    <a href={`#/agents/${encodeURIComponent(name)}`} className="mono small">
      {name}
    </a>
  );
}

function PipelineCard({ p, now }: { p: PipelineSummary; now: number }) {
  // Agents beat every frame under load; the pipeline agents' live states need a fresh read at most every 500 ms.
  const byId = useThrottledStore(useAgentsStore, (s) => s.byId, 500);
  const links = useMemo(() => pipelineLinks(p), [p]);
  return (
    <section className="card pipeline" data-testid="pipeline-card" data-pipeline-id={p.id}>
      <div className="row">
        <h2 className="grow">
          {p.id} {p.enabled ? null : <span className="tag">disabled</span>}
        </h2>
        <span className="small muted" title={new Date(p.created_at * 1000).toLocaleString()}>
          created {relativeTime(p.created_at, now)}
        </span>
      </div>
      {p.description ? <p style={{ margin: '0 0 6px' }}>{p.description}</p> : null}
      {p.request ? (
        <blockquote className="pipeline-request small" data-testid="pipeline-request">
          {p.request}
        </blockquote>
      ) : null}
      <h3>Agents</h3>
      <div className="pipeline-agents">
        {p.agents.map((a) => {
          const live = findAgent(byId, a.name);
          const state = live?.state ?? a.state;
          const tag = live ? healthTag(live, now) : a.state === 'absent' ? 'failed' : 'stopped';
          return (
            <a key={a.name} href={`#/agents/${encodeURIComponent(a.name)}`} className="pipeline-agent" data-testid="pipeline-agent" data-agent-name={a.name} data-state={state}>
              <b className="mono">{a.name}</b>
              <span className="small muted">
                {a.role}
                {a.recipe ? ` · ${a.recipe} recipe` : ` · ${a.type}`}
              </span>
              <span className={`state ${tag}`}>{tag === 'stale' ? 'stale' : state}</span>
            </a>
          );
        })}
      </div>
      {links.length > 0 ? (
        <>
          <h3>Topics</h3>
          <table className="pipeline-links small">
            <tbody>
              {links.map((l) => (
                <tr key={`${l.from ?? ''}|${l.topic}|${l.to ?? ''}`} data-testid="pipeline-link">
                  <td>
                    <AgentLink name={l.from} />
                  </td>
                  <td className="arrow">→</td>
                  <td className="mono">{l.topic}</td>
                  <td className="arrow">→</td>
                  <td>
                    <AgentLink name={l.to} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {p.warnings.length > 0 ? (
        <ul className="small warn-text">
          {p.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export function PipelinesView() {
  const { pipelines, loaded, loading, error } = usePipelinesStore();
  const now = useNow(5_000);
  const reload = useCallback(() => void loadPipelines(), []);

  useEffect(() => {
    void loadPipelines();
    const t = setInterval(() => void loadPipelines(), RELOAD_MS);
    return () => clearInterval(t);
  }, []);

  return (
    <>
      <div className="agents-toolbar">
        <span className="muted small">Pipelines are planned from a request in chat (e.g. “when the lamp turns on, notify me”).</span>
        <span className="grow" />
        <button type="button" className="btn" onClick={reload} disabled={loading}>
          {loading ? 'Loading…' : 'Reload'}
        </button>
      </div>
      {error ? <div className="error-box" data-testid="pipelines-error">Cannot load the pipelines: {error}</div> : null}
      {loaded && pipelines.length === 0 ? (
        <div className="empty" data-testid="pipelines-empty">
          No pipeline is running. Ask for one in <a href="#/chat">Chat</a>.
        </div>
      ) : null}
      <div className="pipelines" data-testid="pipeline-list">
        {pipelines.map((p) => (
          <PipelineCard key={p.id} p={p} now={now} />
        ))}
      </div>
    </>
  );
}
