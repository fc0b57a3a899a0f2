/**
 * Normalises an Ollama host the way the ollama CLI reads OLLAMA_HOST: "0.0.0.0", ":11434",
 * "myhost:1234" and "http://host" are all accepted; the result is a full URL without trailing slash.
 */
import { DEFAULT_OLLAMA_HOST } from './catalog.js';

export function normalizeOllamaHost(host: string | undefined): string {
  let h = host?.trim();
  if (!h) return DEFAULT_OLLAMA_HOST;
  let explicitScheme = h.includes('://');
  if (h.startsWith(':')) {
    h = `http://127.0.0.1${h}`;
    explicitScheme = true;
  }
  if (!explicitScheme) h = `http://${h}`;
  let url: URL;
  try {
    url = new URL(h);
  } catch {
    throw new Error(`invalid Ollama host "${host}": use host:port or http://host:port (e.g. http://127.0.0.1:11434)`);
  }
  // A bare "host" means Ollama's port; "http://host" means the scheme's default, as with curl.
  const port = url.port || (explicitScheme ? '' : '11434');
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : ''}${url.hostname}${port ? `:${port}` : ''}${path}`;
}
