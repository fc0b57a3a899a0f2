/**
 * The manual agent's web access: the search page and the PDF downloads, all through safe-fetch
 * (src/main/net): each hop's address is vetted and pinned, redirects are vetted again, bodies are
 * capped, and nothing on this machine or a private network is reached — ever: the agent has no
 * `fetch_local`. What goes wrong is one short reason per link (refused, too large, not a PDF, HTTP
 * 404…) so the user sees why a manual did not load.
 *
 * `net` holds safe-fetch's own test seams (a resolver that names the test's hosts, a transport that
 * delivers the vetted request to the test's server). Only tests set it; the hub never does.
 */
import { FetchRefusedError, type Resolver } from '../../net/fetch-target.js';
import { safeFetchBytes } from '../../net/safe-fetch.js';
import { toError } from '../../core/errors.js';
import type { ManualAgentConfig } from '../../../shared/manual-agent.js';
import { rankManualLinks, searchQueries } from './search-links.js';

export interface ManualNetSeams {
  resolve?: Resolver;
  fetchImpl?: typeof fetch;
}

const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) Wactorz manual-agent';
const SEARCH_PAGE_BYTES = 2 * 1024 * 1024;
const EMBEDDED_PDF = /https?:\/\/[^\s"'<>]+?\.pdf\b/i;

export type Download = { ok: true; bytes: Buffer; url: string } | { ok: false; reason: string };

/** A point in time the whole load must finish by. */
export class Deadline {
  private readonly end: number;
  constructor(
    seconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.end = now() + seconds * 1000;
  }
  /** The end, epoch ms. */
  get at(): number {
    return this.end;
  }

  /** Seconds left (at least 1 while any remain, 0 when past). */
  seconds(): number {
    const left = (this.end - this.now()) / 1000;
    return left <= 0 ? 0 : Math.max(1, Math.floor(left));
  }
}

/** Why a fetch failed, in words (safe-fetch's messages speak of agent.fetch and fetch_local: not ours to offer). */
export function fetchFailure(e: unknown): string {
  if (e instanceof FetchRefusedError) {
    if (e.category === 'scheme') return `refused: only http(s) links are fetched`;
    if (e.category === 'unresolvable') return `refused: ${e.host} cannot be resolved`;
    return `refused: ${e.host} is not a public address (${e.category}); the manual agent only reaches the public internet`;
  }
  return toError(e).message.replace(/^agent\.fetch:?\s*/, '');
}

export class ManualFetcher {
  constructor(
    private readonly cfg: ManualAgentConfig,
    private readonly seams: ManualNetSeams = {},
  ) {}

  private get(url: string, maxBytes: number, deadline: Deadline, accept: string) {
    const seconds = deadline.seconds();
    if (seconds === 0) throw new Error('no time left for this load');
    return safeFetchBytes(
      { url, headers: { 'user-agent': USER_AGENT, accept, 'accept-language': 'en-US,en;q=0.9' }, timeoutSeconds: seconds },
      { allowLocal: false, maxBodyBytes: maxBytes, maxSeconds: seconds, ...(this.seams.resolve ? { resolve: this.seams.resolve } : {}), ...(this.seams.fetchImpl ? { fetchImpl: this.seams.fetchImpl } : {}) },
    );
  }

  /** Candidate manual links for `device`, best first; `problems` says what the search met. */
  async search(device: string, deadline: Deadline): Promise<{ links: string[]; problems: string[] }> {
    const links: string[] = [];
    const problems: string[] = [];
    for (const query of searchQueries(device)) {
      if (links.length >= 3 || deadline.seconds() === 0) break;
      const url = this.cfg.search_url.replace('{query}', encodeURIComponent(query).replace(/%20/g, '+'));
      try {
        const res = await this.get(url, SEARCH_PAGE_BYTES, deadline, 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5');
        if (res.status === 202) {
          problems.push('the search engine is rate-limiting (HTTP 202)');
          break;
        }
        if (res.status !== 200) {
          problems.push(`the search answered HTTP ${res.status}`);
          continue;
        }
        for (const l of rankManualLinks(res.bytes.toString('utf8'), res.url, this.cfg.trusted_sites)) if (!links.includes(l)) links.push(l);
      } catch (e) {
        problems.push(`search failed: ${fetchFailure(e)}`);
      }
    }
    return { links, problems };
  }

  /** The PDF at `url` (or the first PDF an HTML page there links to), within the size cap. */
  async downloadPdf(url: string, deadline: Deadline): Promise<Download> {
    const max = Math.round(this.cfg.max_pdf_mb * 1024 * 1024);
    const limit = `the ${this.cfg.max_pdf_mb} MB limit`;
    const fetchOne = async (target: string): Promise<Download & { html?: string }> => {
      try {
        const res = await this.get(target, max, deadline, 'application/pdf,text/html;q=0.8,*/*;q=0.5');
        if (res.status !== 200) return { ok: false, reason: `HTTP ${res.status}` };
        if (res.bytes.subarray(0, 5).toString('latin1') === '%PDF-') return { ok: true, bytes: res.bytes, url: res.url };
        const type = (res.headers['content-type'] ?? 'unknown').split(';')[0]!.trim();
        if (/html/i.test(type)) return { ok: false, reason: `not a PDF (${type})`, html: res.bytes.toString('utf8') };
        return { ok: false, reason: `not a PDF (content-type ${type}, and it does not start with %PDF-)` };
      } catch (e) {
        const reason = fetchFailure(e);
        return { ok: false, reason: /larger than/.test(reason) ? `too large: the download is larger than ${limit}` : reason };
      }
    };
    const first = await fetchOne(url);
    if (first.ok || first.html === undefined) return first.ok ? { ok: true, bytes: first.bytes, url: first.url } : { ok: false, reason: first.reason };
    // A viewer page: the original follows the first PDF link it finds on it (vetted like any other hop).
    const embedded = EMBEDDED_PDF.exec(first.html)?.[0];
    if (!embedded) return { ok: false, reason: first.reason };
    const second = await fetchOne(embedded);
    return second.ok ? { ok: true, bytes: second.bytes, url: second.url } : { ok: false, reason: `${first.reason}; its PDF link ${embedded}: ${second.reason}` };
  }
}
