/**
 * A small web for the manual agent's tests: one local HTTP server that plays several hosts (a
 * search engine, a manual site, a redirector…), real PDFs made with pdf-lib, and safe-fetch's two
 * seams — a resolver that gives the test's `*.test` names a public address, and a transport that
 * delivers each vetted request to the local server (saying which host was meant). Vetting still runs
 * on the URL the agent asked for, so a link to 127.0.0.1 or 10.x is refused exactly as in the hub.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { ManualNetSeams } from '../manual-fetcher.js';

export interface SeenRequest {
  host: string;
  path: string;
}

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface ManualWeb {
  port: number;
  /** Every request the server got: `host` is the test host meant, or `direct` for a connection to 127.0.0.1 itself. */
  seen: SeenRequest[];
  /** Serves `path` on test host `host` (e.g. 'manuals.test'). */
  route(host: string, path: string, handler: Route): void;
  seams: ManualNetSeams;
  close(): Promise<void>;
}

/** A public address the resolver gives every `*.test` host (the transport never dials it). */
const PUBLIC_ADDRESS = '93.184.215.14';

export async function startManualWeb(): Promise<ManualWeb> {
  const routes = new Map<string, Route>();
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const host = String(req.headers['x-test-host'] ?? 'direct');
    const url = new URL(req.url ?? '/', `http://${host}`);
    seen.push({ host, path: url.pathname + url.search });
    const handler = routes.get(`${host}${url.pathname}`);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    void Promise.resolve(handler(req, res, url)).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const fetchImpl: typeof fetch = (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const headers = { ...(init?.headers as Record<string, string> | undefined), 'x-test-host': url.hostname };
    return fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, { ...init, headers });
  };
  const resolve = async (hostname: string) => {
    if (!hostname.endsWith('.test')) throw Object.assign(new Error(`no such host ${hostname}`), { code: 'ENOTFOUND' });
    return [{ address: PUBLIC_ADDRESS, family: 4 as const }];
  };
  return {
    port,
    seen,
    route: (host, path, handler) => routes.set(`${host}${path}`, handler),
    seams: { resolve, fetchImpl },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A PDF with one page per text (Helvetica, wrapped to the page). */
export async function makePdf(pages: readonly string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of pages) {
    const page = doc.addPage([595, 842]);
    page.drawText(text, { x: 40, y: 800, size: 11, font, maxWidth: 515, lineHeight: 14 });
  }
  return Buffer.from(await doc.save());
}

/** A search-results page as DuckDuckGo's HTML endpoint writes it: results wrapped in `/l/?uddg=`. */
export function searchPage(links: readonly string[], extra = ''): string {
  const results = links.map((l, i) => `<div class="result"><a class="result__a" href="//duckduckgo.com/l/?uddg=${encodeURIComponent(l)}&amp;rut=r${i}">Result ${i}</a></div>`).join('\n');
  // Page chrome around the results, as a real page has (never candidates).
  return `<!doctype html><html><body><a href="https://duckduckgo.com/settings">Settings</a><a href="/html/?q=next">Next</a>\n${results}\n${extra}\n${'<!-- padding -->'.repeat(40)}</body></html>`;
}

export const send =
  (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): Route =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': type, ...headers }).end(body);
  };
