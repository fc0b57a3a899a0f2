/** A form generated from a JSON config schema (see lib/schema-form.ts). */
import type { FormField, FormValue } from '../../lib/schema-form.js';

export function SchemaForm({
  fields,
  values,
  errors,
  onChange,
  idPrefix,
}: {
  fields: FormField[];
  values: Record<string, FormValue>;
  errors: Record<string, string>;
  onChange: (key: string, value: FormValue) => void;
  idPrefix: string;
}) {
  return (
    <>
      {fields.map((f) => {
        const id = `${idPrefix}-${f.key}`;
        const v = values[f.key];
        const err = errors[f.key];
        const common = { id, 'aria-invalid': err ? true : undefined, 'data-testid': `config-${f.key}` };
        let input;
        switch (f.kind) {
          case 'boolean':
            input = (
              <label className="check">
                <input {...common} type="checkbox" checked={v === true} onChange={(e) => onChange(f.key, e.target.checked)} />
                {f.label}
              </label>
            );
            break;
          case 'select':
            input = (
              <select {...common} className="select" value={String(v ?? '')} onChange={(e) => onChange(f.key, e.target.value)}>
                {!f.required ? <option value="">—</option> : null}
                {f.options!.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            );
            break;
          case 'json':
          case 'list':
          case 'textarea':
            input = (
              <textarea
                {...common}
                className={`textarea ${err ? 'invalid' : ''}`}
                rows={f.kind === 'json' ? 5 : 3}
                value={String(v ?? '')}
                placeholder={f.kind === 'list' ? 'one per line' : f.placeholder}
                spellCheck={false}
                onChange={(e) => onChange(f.key, e.target.value)}
              />
            );
            break;
          default:
            input = (
              <input
                {...common}
                className={`input ${err ? 'invalid' : ''}`}
                type={f.kind === 'secret' ? 'password' : f.kind === 'number' || f.kind === 'integer' ? 'number' : 'text'}
                step={f.kind === 'integer' ? 1 : f.kind === 'number' ? 'any' : undefined}
                autoComplete={f.kind === 'secret' ? 'new-password' : 'off'}
                value={String(v ?? '')}
                placeholder={f.placeholder}
                onChange={(e) => onChange(f.key, e.target.value)}
              />
            );
        }
        return (
          <div className="field" key={f.key}>
            {f.kind !== 'boolean' ? (
              <label htmlFor={id}>
                {f.label}
                {f.required ? <span style={{ color: 'var(--err)' }}> *</span> : null}
              </label>
            ) : null}
            {input}
            {err ? <span className="error">{err}</span> : f.description ? <span className="help">{f.description}</span> : null}
          </div>
        );
      })}
    </>
  );
}
