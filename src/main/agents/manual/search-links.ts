/**
 * Manual-shaped links from a search engine's HTML page, best first — the original's harvest and
 * ranking: direct anchors and DuckDuckGo's `/l/?uddg=<url>` redirect wrappers are decoded; the
 * engines' own links are dropped; ManualsLib viewer pages become their `/download.pdf`. Order: a PDF
 * on a trusted manual site, any PDF, a trusted site's page, a page that says manual/guide/pdf, then
 * any other result the engine wrapped (a search hit, not page chrome). Every link is validated
 * (searchLinkSchema); whether it may be fetched is decided later, by safe-fetch, per hop.
 */
import { searchLinkSchema } from '../../../shared/manual-agent.js';

/** Hosts whose links are the engines' own (navigation, ads, fonts), never a manual. */
const SEARCH_ENGINE_DOMAINS = ['duckduckgo.com', 'bing.com', 'microsoft.com', 'google.com', 'googleapis.com', 'gstatic.com', 'youtube.com', 'schema.org', 'w3.org', 'mojeek.com', 'bingapis.com'];

const HREF = /href\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
const MAX_LINKS = 200;

function hostMatches(host: string, domains: readonly string[]): boolean {
  const h = host.toLowerCase();
  return domains.some((d) => h === d || h.endsWith(`.${d}`));
}

function decodeEntities(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&#x2F;/gi, '/').replace(/&#47;/g, '/').replace(/&quot;/g, '"');
}

/** Every result link of the page, decoded, deduplicated, in page order, with whether the engine wrapped it. */
function harvest(html: string, pageUrl: string): { url: URL; wrapped: boolean }[] {
  const out: { url: URL; wrapped: boolean }[] = [];
  const seen = new Set<string>();
  for (const m of html.matchAll(HREF)) {
    if (out.length >= MAX_LINKS) break;
    const raw = decodeEntities((m[1] ?? m[2] ?? '').trim());
    if (!raw) continue;
    let url: URL;
    try {
      url = new URL(raw, pageUrl);
    } catch {
      continue;
    }
    let wrapped = false;
    const target = url.searchParams.get('uddg');
    if (target && hostMatches(url.hostname, SEARCH_ENGINE_DOMAINS)) {
      try {
        url = new URL(target);
        wrapped = true;
      } catch {
        continue;
      }
    }
    if (hostMatches(url.hostname, SEARCH_ENGINE_DOMAINS)) continue;
    const checked = searchLinkSchema.safeParse(url.toString());
    if (!checked.success || seen.has(checked.data)) continue;
    seen.add(checked.data);
    out.push({ url: new URL(checked.data), wrapped });
  }
  return out;
}

/** ManualsLib's viewer page → its PDF download (as the original rewrites it). */
function manualslibDownload(url: URL): URL {
  if (!hostMatches(url.hostname, ['manualslib.com']) || !url.pathname.startsWith('/manual/') || url.pathname.toLowerCase().endsWith('.pdf')) return url;
  const path = url.pathname.replace(/\/+$/, '').replace(/\.html$/i, '');
  return new URL(`${url.protocol}//${url.host}${path}/download.pdf`);
}

/** The page's manual candidates, best first (at most `limit`). */
export function rankManualLinks(html: string, pageUrl: string, trustedSites: readonly string[], limit = 20): string[] {
  const tiers: string[][] = [[], [], [], [], []];
  for (const { url: found, wrapped } of harvest(html, pageUrl)) {
    const url = manualslibDownload(found);
    const trusted = hostMatches(url.hostname, trustedSites);
    const pdf = url.pathname.toLowerCase().endsWith('.pdf');
    const manualish = /manual|guide|instruction|handbook|pdf/i.test(url.pathname + url.search);
    const tier = pdf && trusted ? 0 : pdf ? 1 : trusted ? 2 : manualish ? 3 : wrapped ? 4 : -1;
    if (tier >= 0) tiers[tier]!.push(url.toString());
  }
  return [...new Set(tiers.flat())].slice(0, limit);
}

/** The search queries for a device, most specific first (the original's three). */
export function searchQueries(device: string): string[] {
  return [`${device} user manual filetype:pdf`, `${device} manual site:manualslib.com`, `${device} owner manual PDF`];
}
