import { useCallback, useEffect, useMemo, useState } from 'react';
import { hub } from '../../connection/index.js';
import { useCatalogStore } from '../../stores/catalog-store.js';
import { InstallJobs } from './InstallJobs.js';
import { RecipeCard } from './RecipeCard.js';

export function CatalogView() {
  const { recipes, problems, loading, error, installs } = useCatalogStore();
  const [query, setQuery] = useState('');

  const load = useCallback(async () => {
    const st = useCatalogStore.getState();
    st.setLoading(true);
    try {
      const c = await hub.rest.catalog();
      st.setRecipes(c.recipes, c.problems);
    } catch (e) {
      st.setError((e as Error).message);
    } finally {
      st.setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (!q) return recipes;
    return recipes.filter((r) => `${r.name} ${r.title} ${r.description} ${r.category ?? ''} ${r.tags.join(' ')}`.toLowerCase().includes(q));
  }, [recipes, query]);

  const running = installs.filter((j) => j.status === 'running' || j.status === 'pending');
  return (
    <>
      <div className="agents-toolbar">
        <input className="input search" type="search" placeholder="Search recipes…" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Search recipes" />
        <span className="grow" />
        {running.length > 0 ? <span className="small muted">{running.length} install{running.length > 1 ? 's' : ''} running</span> : null}
        <button type="button" className="btn" onClick={() => void load()} disabled={loading}>
          {loading ? 'Loading…' : 'Reload'}
        </button>
      </div>
      {error ? <div className="error-box">Cannot load the catalog: {error}</div> : null}
      <InstallJobs />
      {problems.length > 0 ? (
        <details className="error-box small" style={{ marginBottom: 14 }}>
          <summary>
            {problems.length} recipe{problems.length > 1 ? 's' : ''} could not be loaded
          </summary>
          <ul>
            {problems.map((p) => (
              <li key={p.recipe}>
                <b>{p.recipe}</b>: {p.error}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {!error && !loading && recipes.length === 0 ? <div className="empty">The catalog is empty.</div> : null}
      <div className="recipes" data-testid="recipe-list">
        {shown.map((r) => (
          <RecipeCard key={r.name} recipe={r} />
        ))}
      </div>
    </>
  );
}
