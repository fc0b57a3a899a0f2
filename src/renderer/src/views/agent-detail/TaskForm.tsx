import { useMemo, useState } from 'react';
import { hub } from '../../connection/index.js';
import { checkJsonPayload } from '../../lib/json-payload.js';
import { asJsonSchema, exampleFor } from '../../lib/json-schema.js';

/** Send a TASK with a JSON payload (checked against the manifest's input schema) and show the RESULT. */
export function TaskForm({ name, inputSchema }: { name: string; inputSchema: unknown }) {
  const schema = useMemo(() => asJsonSchema(inputSchema), [inputSchema]);
  const [text, setText] = useState(() => JSON.stringify(schema ? exampleFor(schema) : {}, null, 2));
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string; ms: number } | null>(null);
  const check = useMemo(() => checkJsonPayload(text, schema), [text, schema]);

  const send = async () => {
    setTouched(true);
    if (!check.ok) return;
    setBusy(true);
    setResult(null);
    const t0 = performance.now();
    try {
      const r = await hub.rest.sendTask(name, check.value);
      setResult({ ok: true, text: typeof r === 'string' ? r : JSON.stringify(r, null, 2), ms: performance.now() - t0 });
    } catch (e) {
      setResult({ ok: false, text: (e as Error).message, ms: performance.now() - t0 });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="card">
      <h3>Send a task</h3>
      <div className="field">
        <textarea
          className={`textarea ${touched && !check.ok ? 'invalid' : ''}`}
          rows={6}
          value={text}
          spellCheck={false}
          onChange={(e) => {
            setText(e.target.value);
            setTouched(true);
          }}
          onKeyDown={(e) => {
            if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
              e.preventDefault();
              void send();
            }
          }}
          aria-label="Task payload (JSON)"
          data-testid="task-payload"
        />
        {touched && !check.ok ? (
          <span className="error" data-testid="task-payload-error">
            {check.error}
          </span>
        ) : (
          <span className="help">{schema ? 'JSON, checked against the agent’s input schema.' : 'Any JSON value.'} Ctrl/⌘+Enter sends.</span>
        )}
      </div>
      <div className="row">
        <button type="button" className="btn primary" onClick={() => void send()} disabled={busy || !check.ok} data-testid="task-send">
          {busy ? 'Waiting for the result…' : 'Send task'}
        </button>
      </div>
      {result ? (
        <div style={{ marginTop: 10 }}>
          <div className="small muted">
            {result.ok ? 'Result' : 'Error'} · {Math.round(result.ms)} ms
          </div>
          <pre className={result.ok ? 'json' : 'json error-box'} data-testid="task-result" data-ok={result.ok}>
            {result.text}
          </pre>
        </div>
      ) : null}
    </div>
  );
}
