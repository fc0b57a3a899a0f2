import { useEffect, useMemo, useState } from 'react';
import { navigate } from '../../hooks/useRoute.js';
import { hotkeyLabel } from '../../lib/hotkeys.js';
import { relativeTime } from '../../lib/relative-time.js';
import { useThrottledStore } from '../../hooks/useThrottledStore.js';
import { useAgentsStore } from '../../stores/agents-store.js';
import { isSyntaxProblem, useEditorStore, type Language, type Problem } from '../../stores/editor-store.js';
import { useUiStore } from '../../stores/ui-store.js';
import { useNow } from '../../hooks/useNow.js';
import { CodeEditor, DiffEditor, getActiveEditor } from './CodeSurface.js';
import { deploy, discardDraft, draftNames, modelOf, newAgent, openAgent, revealProblem, rollback, showDiff, validateNewName } from './editor-controller.js';
import { TEMPLATES, templateCode } from './templates.js';

function AgentList({ current }: { current: string | null }) {
  // Agents beat every frame under load; the agent list beside the editor need a fresh read at most every 1000 ms.
  const byId = useThrottledStore(useAgentsStore, (s) => s.byId, 1_000);
  const dynamic = useMemo(
    () =>
      Object.values(byId)
        .filter((a) => a.kind === 'dynamic')
        .map((a) => a.name)
        .sort(),
    [byId],
  );
  const drafts = draftNames();
  return (
    <div className="card" style={{ padding: 8 }}>
      <h3 style={{ padding: '4px 6px' }}>Dynamic agents</h3>
      {dynamic.length === 0 && drafts.length === 0 ? <div className="small muted" style={{ padding: '0 6px 6px' }}>None yet. Create one below, or ask main in the chat.</div> : null}
      {[...drafts.filter((d) => !dynamic.includes(d)), ...dynamic].map((n) => (
        <button key={n} type="button" className={`list-item ${current === n ? 'active' : ''}`} onClick={() => navigate({ view: 'editor', name: n })} data-testid="editor-agent" data-agent-name={n}>
          <span className="mono small">{n}</span>
          {drafts.includes(n) ? <span className="tag">draft</span> : null}
        </button>
      ))}
    </div>
  );
}

function NewAgentForm() {
  const [name, setName] = useState('');
  const [language, setLanguage] = useState<Language>('typescript');
  const [template, setTemplate] = useState(TEMPLATES[0]!.id);
  const [description, setDescription] = useState('');
  const [touched, setTouched] = useState(false);
  const error = validateNewName(name.trim());
  const create = () => {
    setTouched(true);
    if (error) return;
    const chosen = TEMPLATES.find((t) => t.id === template);
    newAgent(name.trim(), language, templateCode(template, language), description.trim() || (chosen?.description ?? ''), chosen?.subscribes);
    navigate({ view: 'editor', name: name.trim() });
    setName('');
    setDescription('');
    setTouched(false);
  };
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        create();
      }}
      data-testid="new-agent-form"
    >
      <h3>New agent</h3>
      <div className="field">
        <label htmlFor="new-agent-name">Name</label>
        <input id="new-agent-name" className={`input mono ${touched && error ? 'invalid' : ''}`} value={name} onChange={(e) => setName(e.target.value)} placeholder="my-agent" data-testid="new-agent-name" />
        {touched && error ? <span className="error">{error}</span> : null}
      </div>
      <div className="field">
        <label htmlFor="new-agent-template">Template</label>
        <select id="new-agent-template" className="select" value={template} onChange={(e) => setTemplate(e.target.value)} data-testid="new-agent-template">
          {TEMPLATES.map((t) => (
            <option key={t.id} value={t.id}>
              {t.label}
            </option>
          ))}
        </select>
        <span className="help">{TEMPLATES.find((t) => t.id === template)?.description}</span>
      </div>
      <div className="field">
        <label htmlFor="new-agent-lang">Language</label>
        <select id="new-agent-lang" className="select" value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
          <option value="typescript">TypeScript</option>
          <option value="javascript">JavaScript</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="new-agent-desc">Description</label>
        <input id="new-agent-desc" className="input" value={description} onChange={(e) => setDescription(e.target.value)} placeholder="What it does" />
      </div>
      <button type="submit" className="btn" data-testid="new-agent-create">
        Create draft
      </button>
    </form>
  );
}

function Versions() {
  const open = useEditorStore((s) => s.open);
  const dirty = useEditorStore((s) => s.dirty);
  const diffVersion = useEditorStore((s) => s.diffVersion);
  const busy = useEditorStore((s) => s.deploy.phase === 'deploying');
  const now = useNow(10_000);
  const [armed, setArmed] = useState<number | null>(null);
  if (!open || open.isNew) return null;
  return (
    <div className="card" data-testid="version-list">
      <h3>Versions</h3>
      {open.versions.length === 0 ? <div className="small muted">No history yet.</div> : null}
      <div className="col" style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
        {open.versions.map((v) => {
          const current = v.version === open.version;
          return (
            <div key={v.version} className={`version ${current ? 'current' : ''} ${diffVersion === v.version ? 'diffing' : ''}`} data-testid="version-item" data-version={v.version} data-current={current}>
              <div className="row">
                <b>v{v.version}</b>
                {current ? <span className="tag">running</span> : null}
                <span className="grow" />
                <span className="small muted" title={new Date(v.created_at * 1000).toLocaleString()}>
                  {relativeTime(v.created_at, now)}
                </span>
              </div>
              {v.note ? <div className="small muted">{v.note}</div> : null}
              <div className="row">
                <button type="button" className={`btn small ${diffVersion === v.version ? 'primary' : ''}`} onClick={() => void showDiff(diffVersion === v.version ? null : v.version)} data-testid="version-diff">
                  {diffVersion === v.version ? 'Hide diff' : 'Diff'}
                </button>
                {!current ? (
                  <button
                    type="button"
                    className={`btn small ${armed === v.version ? 'danger armed' : ''}`}
                    disabled={busy}
                    title={dirty ? 'Your unsaved edits will be replaced by this version' : `Run version ${v.version} again`}
                    onClick={() => {
                      if (dirty && armed !== v.version) {
                        setArmed(v.version);
                        return;
                      }
                      setArmed(null);
                      void rollback(v.version);
                    }}
                    onBlur={() => setArmed(null)}
                    data-testid="rollback-button"
                  >
                    {armed === v.version ? 'Discard edits and roll back?' : 'Roll back'}
                  </button>
                ) : null}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** The same error from Monaco's service and from the hub's check is listed once (the hub's). */
function uniqueProblems(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const p of [...problems].sort((a, b) => (a.source === b.source ? 0 : a.source === 'hub' ? -1 : 1))) {
    const key = `${p.line}:${p.column}:${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

function Problems() {
  const all = useEditorStore((s) => s.problems);
  const problems = useMemo(() => uniqueProblems(all), [all]);
  if (problems.length === 0) return null;
  return (
    <div className="problems" data-testid="editor-problems" role="list" aria-label="Problems">
      {problems.map((p, i) => (
        <div
          key={`${p.source}:${p.line}:${p.column}:${i}`}
          className="problem"
          role="listitem"
          onClick={() => revealProblem(getActiveEditor(), p)}
          data-testid="editor-marker"
          data-source={p.source}
          data-severity={p.severity}
          data-line={p.line}
        >
          <span className={`sev ${p.severity}`}>{p.severity}</span>
          <span className="where">
            {p.line}:{p.column}
          </span>
          <span className="grow">{p.message}</span>
          <span className="faint small">{p.source === 'hub' ? 'hub check' : isSyntaxProblem(p) ? 'syntax' : 'types'}</span>
        </div>
      ))}
    </div>
  );
}

function DeployResult() {
  const d = useEditorStore((s) => s.deploy);
  if (d.phase === 'idle' || d.phase === 'deploying') return null;
  return (
    <div className={d.phase === 'ok' ? 'ok-box' : 'error-box'} data-testid="deploy-result" data-phase={d.phase} role="status">
      {d.message}
      {d.phase === 'refused' && d.diagnostics.length > 0 ? (
        <ul className="diag-list">
          {d.diagnostics.slice(0, 5).map((x, i) => (
            <li key={i}>
              <button type="button" className="link-button mono" onClick={() => revealProblem(getActiveEditor(), x)}>
                {x.line}:{x.column}
              </button>{' '}
              {x.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export default function EditorView({ name }: { name: string | null }) {
  const open = useEditorStore((s) => s.open);
  const loading = useEditorStore((s) => s.loading);
  const loadError = useEditorStore((s) => s.loadError);
  const dirty = useEditorStore((s) => s.dirty);
  const deployState = useEditorStore((s) => s.deploy);
  const diffVersion = useEditorStore((s) => s.diffVersion);
  const diffOriginal = useEditorStore((s) => s.diffOriginal);
  const diffError = useEditorStore((s) => s.diffError);
  const problems = useEditorStore((s) => s.problems);
  const deployRequests = useUiStore((s) => s.deployRequests);

  useEffect(() => {
    if (name) void openAgent(name);
    else useEditorStore.getState().setOpen(null);
  }, [name]);

  // Ctrl/Cmd+S pressed outside Monaco.
  useEffect(() => {
    if (deployRequests > 0) void deploy();
  }, [deployRequests]);

  const errors = uniqueProblems(problems).filter((p) => p.severity === 'error').length;
  const showing = open && open.name === name && modelOf(open.name);

  return (
    <div className="editor-layout" data-testid="editor-view">
      <div className="editor-list">
        <AgentList current={name} />
        <NewAgentForm />
      </div>
      <div className="editor-center">
        {showing ? (
          <>
            <div className="editor-toolbar">
              <b className="mono">{open.name}</b>
              <span className="tag">{open.language === 'typescript' ? 'TypeScript' : 'JavaScript'}</span>
              {open.isNew ? <span className="tag">not deployed yet</span> : <span className="small muted">running v{open.version}</span>}
              {dirty ? (
                <span className="row small muted" title="Unsaved edits">
                  <span className="dirty-dot" /> edited
                </span>
              ) : null}
              <span className="grow" />
              {errors > 0 ? <span className="small" style={{ color: 'var(--err)' }}>{errors} error{errors > 1 ? 's' : ''}</span> : null}
              {diffVersion !== null ? (
                <button type="button" className="btn small" onClick={() => void showDiff(null)}>
                  Close diff
                </button>
              ) : null}
              {open.isNew ? (
                <button
                  type="button"
                  className="btn small"
                  onClick={() => {
                    discardDraft(open.name);
                    navigate({ view: 'editor', name: null });
                  }}
                >
                  Discard draft
                </button>
              ) : (
                <button type="button" className="btn small" disabled={!dirty} onClick={() => modelOf(open.name)?.setValue(open.deployedCode)} title="Back to the running version's code">
                  Revert
                </button>
              )}
              <button
                type="button"
                className="btn primary"
                onClick={() => void deploy()}
                disabled={deployState.phase === 'deploying' || (!dirty && !open.isNew)}
                title={`Validate and hot-swap (${hotkeyLabel('mod+s')})`}
                data-testid="editor-deploy"
              >
                {deployState.phase === 'deploying' ? 'Deploying…' : open.isNew ? 'Create & start' : 'Deploy'}
              </button>
            </div>
            <DeployResult />
            {diffVersion !== null ? (
              diffOriginal !== null ? (
                <>
                  <div className="small muted">
                    Left: version {diffVersion}. Right: the editor (editable).
                  </div>
                  <DiffEditor name={open.name} original={diffOriginal} />
                </>
              ) : diffError ? (
                <div className="error-box">Cannot show version {diffVersion}: {diffError}</div>
              ) : (
                <div className="empty">Loading version {diffVersion}…</div>
              )
            ) : (
              <CodeEditor name={open.name} />
            )}
            <Problems />
            <div className="small faint">
              <code>agent</code> is typed: hover for its docs, Ctrl+Space for completion. TypeScript is transpiled by the hub.
            </div>
          </>
        ) : loading ? (
          <div className="empty">Loading {name}…</div>
        ) : loadError ? (
          <div className="error-box" data-testid="editor-load-error">
            {loadError}
          </div>
        ) : (
          <div className="empty">
            Pick a dynamic agent on the left to edit its code, or create a new one from a template.
            <br />
            Edits are checked as you type; <b>Deploy</b> ({hotkeyLabel('mod+s')}) hot-swaps the running agent and keeps its state.
          </div>
        )}
      </div>
      <div className="editor-side">
        <Versions />
      </div>
    </div>
  );
}
