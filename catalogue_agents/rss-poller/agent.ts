/**
 * RSS 2.0 / Atom poller → MQTT. The sandbox has no XML parser, so this reads the few elements a
 * feed item needs with a tolerant tag scanner (CDATA, entities, Atom links). Seen ids are kept in
 * agent.state (bounded), so a restart does not re-publish old items. Includes _lib/poller.ts (config,
 * fetch, the process tick and the status task shared with http-json-poller).
 */

interface FeedConfig {
  url: string;
  topic: string;
  interval_seconds: number;
  publish_existing: boolean;
  max_items_per_poll: number;
  summary_chars: number;
}

export interface FeedItem {
  id: string;
  title: string;
  link: string;
  published: string | null;
  summary: string;
}

const MAX_SEEN = 1_000;

function config(agent: Agent): FeedConfig {
  return pollerConfig<FeedConfig>(agent, { interval_seconds: 900, publish_existing: false, max_items_per_poll: 20, summary_chars: 500 });
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decode(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
      if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
      return ENTITIES[e.toLowerCase()] ?? all;
    });
}

function stripTags(s: string): string {
  return s.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Text of the first `<tag>` (any namespace prefix) in `xml`. */
function tag(xml: string, name: string): string | null {
  const m = new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${name}>`, 'i').exec(xml);
  return m ? decode(m[1]!).trim() : null;
}

function blocks(xml: string, name: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`, 'gi');
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml))) out.push(m[1]!);
  return out;
}

function atomLink(entry: string): string {
  const links = [...entry.matchAll(/<link\b([^>]*)\/?>/gi)].map((m) => m[1]!);
  const attr = (a: string, n: string): string | null => new RegExp(`${n}\\s*=\\s*["']([^"']*)["']`, 'i').exec(a)?.[1] ?? null;
  const alternate = links.find((a) => (attr(a, 'rel') ?? 'alternate') === 'alternate') ?? links[0];
  return alternate ? decode(attr(alternate, 'href') ?? '') : '';
}

export function parseFeed(xml: string, summaryChars = 500): { title: string; items: FeedItem[] } {
  const isAtom = /<feed[\s>]/i.test(xml) && !/<rss[\s>]/i.test(xml);
  // Descriptions are escaped HTML: decoded once by the scanner, tags stripped, then its own entities decoded.
  const cut = (s: string | null): string => (summaryChars > 0 && s ? decode(stripTags(s)).slice(0, summaryChars) : '');
  if (isAtom) {
    const head = xml.split(/<entry[\s>]/i)[0] ?? '';
    return {
      title: stripTags(tag(head, 'title') ?? ''),
      items: blocks(xml, 'entry').map((e) => {
        const link = atomLink(e);
        return { id: tag(e, 'id') ?? link, title: stripTags(tag(e, 'title') ?? ''), link, published: tag(e, 'published') ?? tag(e, 'updated'), summary: cut(tag(e, 'summary') ?? tag(e, 'content')) };
      }),
    };
  }
  const channel = xml.split(/<item[\s>]/i)[0] ?? '';
  return {
    title: stripTags(tag(channel, 'title') ?? ''),
    items: blocks(xml, 'item').map((i) => {
      const link = tag(i, 'link') ?? '';
      return { id: tag(i, 'guid') ?? (link || (tag(i, 'title') ?? '')), title: stripTags(tag(i, 'title') ?? ''), link, published: tag(i, 'pubDate') ?? tag(i, 'date'), summary: cut(tag(i, 'description') ?? tag(i, 'encoded')) };
    }),
  };
}

async function poll(agent: Agent): Promise<{ new: number; items: FeedItem[]; not_modified?: boolean }> {
  const c = config(agent);
  const headers: Record<string, string> = { accept: 'application/rss+xml, application/atom+xml, application/xml, text/xml;q=0.9, */*;q=0.5' };
  if (agent.state.etag) headers['if-none-match'] = agent.state.etag;
  if (agent.state.last_modified) headers['if-modified-since'] = agent.state.last_modified;
  const res = await pollerFetch(agent, c.url, headers);
  if (res.status === 304) return { new: 0, items: [], not_modified: true };
  const feed = parseFeed(await res.text(), c.summary_chars);
  if (res.headers.etag) agent.state.etag = res.headers.etag;
  if (res.headers['last-modified']) agent.state.last_modified = res.headers['last-modified'];
  const first = !Array.isArray(agent.state.seen);
  const seen: string[] = first ? [] : agent.state.seen;
  const fresh = feed.items.filter((i) => i.id && !seen.includes(i.id));
  agent.state.seen = [...fresh.map((i) => i.id), ...seen].slice(0, MAX_SEEN);
  if (first && !c.publish_existing) return { new: 0, items: [] };
  // Oldest first, so subscribers see them in order.
  const out = fresh.slice(0, c.max_items_per_poll).reverse();
  for (const item of out) agent.publish(c.topic, { ...item, feed: c.url, feed_title: feed.title, timestamp: Date.now() / 1000 });
  agent.state.published = (agent.state.published ?? 0) + out.length;
  return { new: out.length, items: out };
}

export async function setup(agent: Agent): Promise<void> {
  agent.interval = config(agent).interval_seconds;
}

export async function process(agent: Agent): Promise<void> {
  await pollerTick(agent, poll);
}

export async function handleTask(agent: Agent, payload: unknown): Promise<unknown> {
  return pollerTask(agent, payload, poll, { seen: (agent.state.seen ?? []).length });
}
