/**
 * The two ways the original answered, by server: its RESTInterface (our REST port, `--interface
 * rest`) answered errors such as 404 `actor not found` and 403 `actor is protected` as plain text
 * and DELETE with the text `stopping`; its monitor server (our dashboard port, under /api/) as JSON
 * `{"error": "actor not found"}`, with `content required`/`message required` where the REST
 * interface said `No content provided`/`No message provided`. Each flavour keeps its words.
 *
 * Plain text is only for clients that did not ask for JSON: a request whose Accept names
 * application/json and no wildcard (our dashboard, wactorz-mcp) gets `{error, detail}` JSON from
 * either server. curl, Python's requests and aiohttp send `*\/*` and get the original's text.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http-error.js';

export type ApiFlavour = 'rest' | 'monitor';

export const flavourOf = (apiPrefix: '' | '/api'): ApiFlavour => (apiPrefix === '' ? 'rest' : 'monitor');

/** True when the client asked for JSON specifically (no `*\/*`, no text/plain). */
export function wantsJson(req: Pick<FastifyRequest, 'headers'>): boolean {
  const accept = String(req.headers.accept ?? '').toLowerCase();
  return accept.includes('application/json') && !accept.includes('*/*') && !accept.includes('text/plain');
}

/** The original's words for each refusal, per server. */
export function originalErrors(flavour: ApiFlavour) {
  const text = flavour === 'rest';
  return {
    actorNotFound: (idOrName: string) => new HttpError(404, 'actor not found', `no actor with id or name "${idOrName}"`, { text }),
    actorProtected: (name: string) => new HttpError(403, 'actor is protected', `${name} is protected: it refuses pause, stop and delete`, { text }),
    notAnObject: () => new HttpError(400, flavour === 'rest' ? 'Expected a JSON object' : 'invalid JSON', 'the body must be a JSON object'),
    noContent: () => new HttpError(400, flavour === 'rest' ? 'No content provided' : 'content required', 'send {"content": …}'),
    noMessage: () => new HttpError(400, flavour === 'rest' ? 'No message provided' : 'message required', 'send {"message": "…"}'),
    invalidCommand: (detail: string) => new HttpError(400, 'Invalid command', detail),
  };
}

/** Python's truthiness, which the original used to decide "provided": '', 0, false, null, [] and {} are not. */
export function provided(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

export const isJsonObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A request a browser sent from a page of another origin: `Sec-Fetch-Site` says cross-site or
 * same-site (another port is another origin), or `Origin` names a host other than the one asked.
 * Requests without these headers (curl, scripts, the proxy in front of the original dashboard,
 * which forwards the page's own origin) are not browser cross-site requests.
 */
export function isCrossSite(req: Pick<FastifyRequest, 'headers'>): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true; // "null" (a sandboxed page, a file://) or garbage
  }
}
