/**
 * GET /docs: the API reference as one self-contained HTML page rendered from the OpenAPI document
 * (no scripts, no CDN): every route grouped by tag, with its parameters and request body schema.
 */
import type { OpenApiDocument } from './openapi-document.js';

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Escaped text with `code` spans. */
const prose = (s: unknown): string => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

export function renderDocsPage(doc: OpenApiDocument, openApiUrl: string): string {
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const o = op as { summary?: string; description?: string; tags?: string[]; parameters?: { name: string; in: string; description?: string; required?: boolean }[]; requestBody?: { content: Record<string, { schema: unknown }> } };
      const params = (o.parameters ?? []).map((p) => `<li><code>${esc(p.name)}</code> <small>${esc(p.in)}${p.required ? ', required' : ''}</small>${p.description ? ` — ${esc(p.description)}` : ''}</li>`).join('');
      const body = o.requestBody ? `<details><summary>Request body</summary><pre>${esc(JSON.stringify(Object.values(o.requestBody.content)[0]?.schema, null, 2))}</pre></details>` : '';
      const html = `<section class="op"><h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3><p>${prose(o.summary ?? '')}</p>${o.description ? `<p>${prose(o.description)}</p>` : ''}${params ? `<ul>${params}</ul>` : ''}${body}</section>`;
      const tag = o.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const sections = doc.tags
    .filter((t) => byTag.has(t.name))
    .map((t) => `<h2 id="${esc(t.name)}">${esc(t.name)}</h2><p class="tag">${esc(t.description)}</p>${byTag.get(t.name)!.join('')}`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d232a;background:#fafafa}
h2{margin-top:2.5rem;border-bottom:1px solid #ddd;text-transform:capitalize}.tag{color:#555}
.op{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:.2rem 1rem;margin:.8rem 0}
.op h3{font-size:1rem;margin:.6rem 0}.m{display:inline-block;min-width:4.2rem;font-weight:700}
.get{color:#1769aa}.post{color:#1e7e34}.put{color:#b26a00}.delete{color:#b00020}.patch{color:#6f42c1}
pre{background:#f4f4f4;padding:.6rem;overflow:auto;font-size:13px}code{font-family:ui-monospace,monospace}
</style></head><body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${prose(doc.info.description)}</p>
<p>Machine-readable: <a href="${esc(openApiUrl)}">${esc(openApiUrl)}</a> (OpenAPI 3.1).</p>
${sections}
</body></html>`;
}
