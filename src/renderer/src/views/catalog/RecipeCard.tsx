import { useMemo, useState } from 'react';
import { hub } from '../../connection/index.js';
import type { Recipe } from '../../connection/rest-schemas.js';
import { navigate } from '../../hooks/useRoute.js';
import { fieldsFromSchema, initialValues, valuesToConfig, type FormValue } from '../../lib/schema-form.js';
import { useAlertsStore } from '../../stores/alerts-store.js';
import { useCatalogStore } from '../../stores/catalog-store.js';
import { InstallProgress } from './InstallJobs.js';
import { SchemaForm } from './SchemaForm.js';

export function RecipeCard({ recipe }: { recipe: Recipe }) {
  const fields = useMemo(() => fieldsFromSchema(recipe.configSchema), [recipe.configSchema]);
  const [values, setValues] = useState<Record<string, FormValue>>(() => initialValues(fields));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [name, setName] = useState('');
  const [grants, setGrants] = useState<string[]>([]);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string; agent?: string } | null>(null);
  const installs = useCatalogStore((s) => s.installs);
  const job = installs.find((j) => j.recipe === recipe.name || (result?.agent !== undefined && j.agent === result.agent));
  const notify = useAlertsStore((s) => s.notify);

  const spawn = async () => {
    const r = valuesToConfig(fields, values);
    if (!r.ok) {
      setErrors(r.errors);
      setOpen(true);
      return;
    }
    setErrors({});
    setBusy(true);
    setResult(null);
    try {
      const res = await hub.rest.spawnRecipe(recipe.name, r.config, name.trim() || undefined, grants);
      const agent = res.name ?? res.agent ?? (name.trim() || recipe.name);
      setResult({ ok: true, text: res.message ?? `Spawned ${agent}.`, agent });
      notify(`${agent} spawned from ${recipe.title}`, 'info', agent);
      void hub.refresh();
    } catch (e) {
      setResult({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="card recipe" data-testid="recipe-card" data-recipe={recipe.name}>
      <div className="row">
        <h3 style={{ margin: 0 }}>{recipe.title}</h3>
        {recipe.category ? <span className="tag">{recipe.category}</span> : null}
      </div>
      <p>{recipe.description}</p>
      {recipe.inputs.length + recipe.outputs.length > 0 ? (
        <details className="small">
          <summary className="muted">Inputs and outputs</summary>
          <ul className="ports">
            {recipe.inputs.map((p, i) => (
              <li key={`i${i}`}>
                <span className="tag">in</span> {p.topic ? <code>{p.topic}</code> : p.task ? <code>{p.task}</code> : null} {p.description}
              </li>
            ))}
            {recipe.outputs.map((p, i) => (
              <li key={`o${i}`}>
                <span className="tag">out</span> {p.topic ? <code>{p.topic}</code> : null} {p.description}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {recipe.dependencies.length > 0 ? <div className="small muted">Installs: {recipe.dependencies.join(', ')}</div> : null}
      {recipe.capabilities.length > 0 ? <div className="small muted">Can use: {recipe.capabilities.join(', ')}</div> : null}
      {open ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void spawn();
          }}
        >
          <div className="field">
            <label htmlFor={`${recipe.name}-agent-name`}>Agent name</label>
            <input id={`${recipe.name}-agent-name`} className="input mono" value={name} onChange={(e) => setName(e.target.value)} placeholder={`${recipe.defaultName ?? recipe.name} (default)`} data-testid="spawn-name" />
          </div>
          {recipe.optionalCapabilities.length > 0 ? (
            <div className="field">
              <span className="label">Also allow</span>
              {recipe.optionalCapabilities.map((c) => (
                <label key={c} className="check">
                  <input type="checkbox" checked={grants.includes(c)} onChange={(e) => setGrants((g) => (e.target.checked ? [...g, c] : g.filter((x) => x !== c)))} data-testid={`grant-${c}`} />
                  <code>{c}</code>
                </label>
              ))}
            </div>
          ) : null}
          <SchemaForm fields={fields} values={values} errors={errors} onChange={(k, v) => setValues((cur) => ({ ...cur, [k]: v }))} idPrefix={recipe.name} />
        </form>
      ) : null}
      {job ? <InstallProgress job={job} /> : null}
      {result ? (
        <div className={result.ok ? 'ok-box' : 'error-box'} data-testid="spawn-result" data-ok={result.ok}>
          {result.text}
          {result.ok && result.agent ? (
            <>
              {' '}
              <button type="button" className="link-button" onClick={() => navigate({ view: 'agent', name: result.agent! })}>
                open
              </button>
            </>
          ) : null}
        </div>
      ) : null}
      <div className="row" style={{ marginTop: 'auto' }}>
        <button type="button" className="btn" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Hide options' : fields.length > 0 ? `Configure (${fields.length})` : 'Configure'}
        </button>
        <span className="grow" />
        <button type="button" className="btn primary" onClick={() => void spawn()} disabled={busy} data-testid="catalog-spawn">
          {busy ? 'Spawning…' : 'Spawn'}
        </button>
      </div>
    </div>
  );
}
