/**
 * manual-agent from the catalog on a real hub (embedded broker, SQLite in a temp dir, the spawn
 * registry, restore), a local web (search page, real PDFs from pdf-lib) reached through safe-fetch
 * with only its test seams, and the LLM as the real OpenAI SDK against the scripted wire server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpawnTypes } from '../../integration/spawn-types.js';
import { createLlmProvider } from '../../llm/create-provider.js';
import { waitUntil } from '../../testing/wait.js';
import { manualAgentConfigSchema, manualAgentResultSchema } from '../../../shared/manual-agent.js';
import { startRecipeHub, type Json, type RecipeHub } from '../catalog/testing/recipe-hub.js';
import { ManualAgent } from './manual-agent.js';
import { manualAgentSpawnType } from './manual-spawn-type.js';
import { rankManualLinks } from './search-links.js';
import { makePdf, searchPage, send, startManualWeb, type ManualWeb } from './testing/manual-web.js';

const PAGE1 =
  'Philips EP2200 espresso machine. User manual. Contents: safety, first use, cleaning, descaling. Thank you for choosing this appliance. Read this user manual carefully before you use it for the first time and keep it for future reference. The grinder, the brew group and the milk frother are described in the chapters that follow, with pictures of every part.';
const PAGE2 = 'Safety. Keep the appliance away from water splashes and never immerse the power cord. Children must be supervised near hot surfaces.';
const PAGE3 = 'Descaling. When the descale light flashes, fill the water tank with descaling solution, then press and hold the descale button for 3 seconds. Rinse twice with clean water after you descale.';
const PDF_URL = 'http://manuals.test/philips/ep2200-user-manual.pdf';
const CONFIG = { search_url: 'http://search.test/html/?q={query}', trusted_sites: ['manuals.test'], context_chars: 500, max_pdf_mb: 1 };

const flat = (s: string): string => s.replace(/\s+/g, ' ');
const userText = (body: Json): string => body.messages.filter((m: Json) => m.role === 'user').at(-1).content;
const systemText = (body: Json): string => body.messages.find((m: Json) => m.role === 'system')?.content ?? '';

describe('manual-agent', { timeout: 120_000 }, () => {
  let web: ManualWeb;
  let hub: RecipeHub;
  let searchRateLimited = false;
  const startHub = (stateDir?: string): Promise<RecipeHub> =>
    startRecipeHub({ llm: true, timeseries: false, ...(stateDir ? { stateDir } : {}), dynamic: ({ llm, costs }) => ({ spawnTypes: new SpawnTypes([manualAgentSpawnType({ llm, costs, testNet: web.seams })]) }) });
  const ask = (payload: unknown, name = 'manual-agent'): Promise<Json> => hub.system.ask<Json>(name, payload, 60_000);

  beforeAll(async () => {
    web = await startManualWeb();
    const pdf = await makePdf([PAGE1, PAGE2, PAGE3]);
    // The search page lists an untrusted PDF first: the trusted manual site's PDF must be tried first.
    // Only the manufacturer's model name finds anything (a misspelt brand finds nothing).
    web.route('search.test', '/html/', (req, res, url) => {
      if (searchRateLimited) return send(202, 'text/html', '')(req, res, url);
      const hit = /ep2200/i.test(url.searchParams.get('q') ?? '');
      return send(200, 'text/html', searchPage(hit ? ['https://news.test/story-about-coffee', 'http://other.test/ep2200.pdf', PDF_URL] : []))(req, res, url);
    });
    web.route('manuals.test', '/philips/ep2200-user-manual.pdf', send(200, 'application/pdf', pdf));
    web.route('manuals.test', '/viewer.html', send(200, 'text/html; charset=utf-8', '<html><body>Our viewer needs JavaScript.</body></html>'));
    web.route('manuals.test', '/huge.pdf', send(200, 'application/pdf', Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2 * 1024 * 1024, 0x20)])));
    web.route('manuals.test', '/fake.pdf', send(200, 'application/pdf', 'this is no pdf at all'));
    // A search page whose results point at this machine, a private network, and a redirect to this machine.
    web.route('evil-search.test', '/html/', send(200, 'text/html', searchPage([`http://127.0.0.1:${web.port}/secret.pdf`, 'http://10.1.2.3/internal-manual.pdf', 'http://redirect.test/manual.pdf'])));
    web.route('redirect.test', '/manual.pdf', send(302, 'text/plain', '', { location: `http://127.0.0.1:${web.port}/secret.pdf` }));
    hub = await startHub();
  });

  afterAll(async () => {
    await hub?.close();
    await web?.close();
  });

  it('is spawned from the catalog by its name, as a host recipe', async () => {
    expect(hub.catalog.get('manual-agent')?.manifest).toMatchObject({ runtime: 'host', spawn_type: 'manual_agent' });
    // The recipe's config form (JSON Schema) and the agent's own schema agree on every default.
    expect(hub.catalog.checkConfig('manual-agent', {})).toMatchObject({ ok: true, config: manualAgentConfigSchema.parse({}) });
    const r = await hub.catalog.spawn('manual-agent', { config: CONFIG }, 'user');
    expect(r).toMatchObject({ status: 'spawned', name: 'manual-agent', recipe: 'manual-agent' });
    const actor = hub.system.get('manual-agent');
    expect(actor).toBeInstanceOf(ManualAgent);
    expect(actor).toMatchObject({ kind: 'catalog', capabilities: expect.arrayContaining(['web_search', 'pdf_extraction']) });
    expect(hub.dynamic.registry.get('manual-agent')).toMatchObject({ kind: 'manual_agent' });
    // A config the recipe refuses is refused before anything is spawned.
    await expect(hub.catalog.spawn('manual-agent', { name: 'manual-bad', config: { max_pdf_mb: 'lots' } }, 'user')).rejects.toMatchObject({ kind: 'bad_config' });
    expect(hub.system.get('manual-bad')).toBeUndefined();
  });

  it('loads a manual from natural language: LLM router → search → trusted PDF → pages and text', async () => {
    hub.llmServer!.reset();
    hub.llmServer!.script('openai', ['```json\n{"tool": "load_manual", "device": "Philips EP2200"}\n```']);
    const mark = web.seen.length;
    const r = await ask({ text: 'load the manual for my Phillips EP2200 please' });
    expect(manualAgentResultSchema.parse(r)).toMatchObject({ device: 'Philips EP2200', url: PDF_URL, pages: 3 });
    expect(r.error).toBeUndefined();
    expect(r.result).toMatch(/^Manual loaded: Philips EP2200\n {2}URL: {3}http:\/\/manuals\.test\/philips\/ep2200-user-manual\.pdf\n {2}Pages: 3/);
    expect(flat(r.preview)).toContain('Philips EP2200 espresso machine');
    const req = hub.llmServer!.lastRequest('openai')!;
    expect(systemText(req.body)).toMatch(/dispatcher for a device-manual assistant/);
    expect(userText(req.body)).toContain('"load the manual for my Phillips EP2200 please"');
    expect(userText(req.body)).toContain('Currently loaded manual: (none)');
    const hits = web.seen.slice(mark);
    expect(hits[0]).toEqual({ host: 'search.test', path: '/html/?q=Philips+EP2200+user+manual+filetype%3Apdf' });
    // The trusted site's PDF was tried first and worked: the untrusted one was never fetched.
    expect(hits.map((h) => h.host)).toEqual(['search.test', 'manuals.test']);
  });

  it('answers a question from the page that matches it (the prompt carries that page, within its budget)', async () => {
    hub.llmServer!.reset();
    hub.llmServer!.script('openai', ['{"tool": "ask", "question": "How do I descale the machine?"}', 'Fill the tank with descaling solution and hold the descale button for 3 seconds.']);
    const r = await ask('How do I descale the machine?');
    expect(manualAgentResultSchema.parse(r)).toMatchObject({ device: 'Philips EP2200', answer: 'Fill the tank with descaling solution and hold the descale button for 3 seconds.' });
    expect(r.result).toBe(r.answer);
    expect(r.pages_used).toEqual([3, 1]); // by keyword overlap: page 3 (descale ×3), page 1 (machine), page 2 left out
    const [router, answer] = hub.llmServer!.requestsFor('openai');
    expect(userText(router!.body)).toContain('Currently loaded manual: Philips EP2200 (3 pages)');
    const prompt = flat(userText(answer!.body));
    expect(prompt).toContain('[page 3]');
    expect(prompt).toContain(flat(PAGE3));
    expect(prompt).toContain('Question: How do I descale the machine?');
    expect(prompt.indexOf('[page 3]')).toBeLessThan(prompt.indexOf('[page 1]'));
    expect(prompt).not.toContain('water splashes'); // page 2 did not fit the 500-character budget
    expect(systemText(answer!.body)).toMatch(/strictly based on provided manual content/);
    // Billed to the agent, like every LLM agent.
    expect(hub.costs.snapshot().agents['manual-agent']?.calls).toBe(3);
  });

  it('answers status (legacy dict) and routes the original {"action": …} JSON sent as @mention text', async () => {
    const s = await ask({ action: 'status' });
    expect(s).toMatchObject({ status: 'loaded', device: 'Philips EP2200', url: PDF_URL, pages: 3, result: expect.stringMatching(/^Loaded: Philips EP2200 \(3 pages, [\d,]+ chars\)$/) });
    expect(await ask({ text: '{"action": "status"}' })).toMatchObject({ status: 'loaded' });
  });

  it('falls back to the keyword router when the LLM answers prose, an unknown tool, or a load without a device', async () => {
    hub.llmServer!.reset();
    hub.llmServer!.script('openai', ['Sure! You probably want to know what is loaded.', '{"tool": "dance"}', '{"tool": "load_manual"}']);
    expect(await ask({ text: "what's loaded?" })).toMatchObject({ status: 'loaded', device: 'Philips EP2200' });
    expect(await ask({ text: 'which manual is this' })).toMatchObject({ status: 'loaded' });
    expect(await ask({ text: 'status please' })).toMatchObject({ status: 'loaded' });
    expect(hub.llmServer!.requestsFor('openai')).toHaveLength(3);
  });

  it('survives a restart: the loaded manual and the URL cache come back from SQLite', async () => {
    const stateDir = hub.stateDir;
    await hub.close({ keepState: true });
    hub = await startHub(stateDir);
    const { restored } = await hub.dynamic.restore();
    expect(restored).toContain('manual-agent');
    await waitUntil(() => hub.system.get('manual-agent')?.state === 'running', 'manual-agent running again');
    expect(await ask({ action: 'status' })).toMatchObject({ status: 'loaded', device: 'Philips EP2200', pages: 3 });
    hub.llmServer!.script('openai', ['Hold the descale button for 3 seconds.']);
    expect(await ask({ action: 'ask', question: 'how long do I hold the descale button?' })).toMatchObject({ answer: 'Hold the descale button for 3 seconds.' });
    expect(flat(userText(hub.llmServer!.lastRequest('openai')!.body))).toContain(flat(PAGE3));
    // The search engine rate-limits now: the cached URL still loads (the device name normalised for the cache).
    searchRateLimited = true;
    try {
      const r = await ask({ action: 'load_manual', device: 'philips  EP2200/10' });
      expect(r).toMatchObject({ device: 'philips  EP2200/10', url: PDF_URL, pages: 3 });
    } finally {
      searchRateLimited = false;
    }
  });

  it('when the search finds nothing, tries the spellings the LLM suggests (as the original retries)', async () => {
    hub.llmServer!.reset();
    hub.llmServer!.script('openai', ['{"tool": "load_manual", "device": "Phillips 2200"}', 'Here you go: ["Philips 2200", "Philips EP2200", "Philips 2200 series"]']);
    const mark = web.seen.length;
    const r = await ask('load the Phillips 2200 manual');
    expect(r).toMatchObject({ device: 'Philips EP2200', url: PDF_URL, pages: 3, corrected_from: 'Phillips 2200' });
    expect(r.result).toMatch(/^\(Resolved 'Phillips 2200' → 'Philips EP2200'\)\nManual loaded: Philips EP2200/);
    expect(userText(hub.llmServer!.lastRequest('openai')!.body)).toContain('The user asked for the manual of: "Phillips 2200"');
    // Three queries for the misspelling, three for "Philips 2200" (the first suggestion), one hit for "Philips EP2200".
    const searches = web.seen.slice(mark).filter((h) => h.host === 'search.test').map((h) => new URL(`http://x${h.path}`).searchParams.get('q'));
    expect(searches).toHaveLength(7);
    expect(searches.at(-1)).toBe('Philips EP2200 user manual filetype:pdf');
  });

  it('clears the manual (natural language), and forgets it in SQLite', async () => {
    hub.llmServer!.reset();
    hub.llmServer!.script('openai', ['{"tool": "clear"}']);
    expect(await ask('forget it')).toEqual({ status: 'cleared', result: 'Manual cleared.' });
    expect(await ask({ action: 'status' })).toEqual({ status: 'idle', result: 'No manual loaded.' });
    expect(await hub.persistence.recall('manual-agent', 'durable:manual')).toBeUndefined();
    expect(await ask({ action: 'ask', question: 'how do I descale?' })).toMatchObject({ error: 'No manual loaded yet.' });
  });

  it('works without an LLM: the keyword router loads, reports and clears', async () => {
    const none = createLlmProvider({ provider: 'none', timeoutMs: 1_000, maxRetries: 0 });
    await hub.system.spawn(new ManualAgent({ name: 'manual-offline', config: manualAgentConfigSchema.parse(CONFIG), llm: none, net: web.seams }));
    expect(await ask('hello', 'manual-offline')).toMatchObject({ error: "No manual loaded yet, and I couldn't tell which device you mean." });
    const r = await ask({ text: 'please find the manual for Philips EP2200' }, 'manual-offline');
    expect(r).toMatchObject({ device: 'Philips EP2200', url: PDF_URL, pages: 3 });
    expect(await ask('what is loaded', 'manual-offline')).toMatchObject({ status: 'loaded', device: 'Philips EP2200' });
    expect(await ask('how do I descale it?', 'manual-offline')).toMatchObject({ error: 'No LLM configured on this agent.' });
    expect(await ask('clear', 'manual-offline')).toMatchObject({ status: 'cleared' });
  });

  it('refuses search results on this machine, a private network, or redirecting there — nothing is fetched from them', async () => {
    await hub.catalog.spawn('manual-agent', { name: 'manual-evil', config: { ...CONFIG, search_url: 'http://evil-search.test/html/?q={query}' } }, 'user');
    const mark = web.seen.length;
    const r = await ask({ action: 'load_manual', device: 'Philips EP2200' }, 'manual-evil');
    expect(r.error).toBe('Could not load any of 3 candidate manuals for: Philips EP2200');
    expect(r.candidates_tried).toEqual([
      { url: `http://127.0.0.1:${web.port}/secret.pdf`, reason: expect.stringMatching(/^refused: 127\.0\.0\.1 is not a public address \(loopback\)/) },
      { url: 'http://10.1.2.3/internal-manual.pdf', reason: expect.stringMatching(/^refused: 10\.1\.2\.3 is not a public address \(private\)/) },
      { url: 'http://redirect.test/manual.pdf', reason: expect.stringMatching(/^refused: 127\.0\.0\.1 is not a public address \(loopback\)/) },
    ]);
    expect(r.result).toContain('refused');
    // The redirector was asked (a public host); the secret never was, directly or through it.
    expect(web.seen.slice(mark).map((h) => `${h.host}${h.path.split('?')[0]}`)).toEqual(['evil-search.test/html/', 'redirect.test/manual.pdf']);
    expect(await ask({ action: 'status' }, 'manual-evil')).toMatchObject({ status: 'idle' });
  });

  it('refuses a non-PDF, an oversized download and a fake PDF with a clear error', async () => {
    const viewer = await ask({ action: 'load_manual', device: 'Philips EP2200', url: 'http://manuals.test/viewer.html' });
    expect(viewer.error).toBe('Could not load the manual for Philips EP2200 from http://manuals.test/viewer.html: not a PDF (text/html)');
    const huge = await ask({ action: 'load_manual', device: 'Philips EP2200', url: 'http://manuals.test/huge.pdf' });
    expect(huge.error).toMatch(/huge\.pdf: too large: the download is larger than the 1 MB limit$/);
    const fake = await ask({ action: 'load_manual', device: 'Philips EP2200', url: 'http://manuals.test/fake.pdf' });
    expect(fake.error).toMatch(/fake\.pdf: not a PDF \(content-type application\/pdf, and it does not start with %PDF-\)$/);
    expect(await ask({ action: 'status' })).toMatchObject({ status: 'idle' });
  });

  it('answers bad input with a clear {error}, and keeps working', async () => {
    expect(await ask(42)).toMatchObject({ error: expect.stringMatching(/^Invalid payload/) });
    expect(await ask({ text: 'x'.repeat(5_000) })).toMatchObject({ error: expect.stringMatching(/^Invalid payload/) });
    expect(await ask({ action: 'dance' })).toMatchObject({ error: "Unknown action: 'dance'", supported: ['load_manual', 'ask', 'status', 'clear'] });
    expect(await ask({ action: 'load_manual' })).toMatchObject({ error: "Missing 'device' field" });
    expect(await ask({ action: 'ask' })).toMatchObject({ error: "Missing 'question' field" });
    expect(await ask({ text: '   ' })).toMatchObject({ error: 'Empty request.' });
    expect(await ask({ action: 'load_manual', device: 'x', url: 'file:///etc/passwd' })).toMatchObject({ error: expect.stringMatching(/"url" must be an http\(s\) URL/) });
    expect(await ask({ action: 'status' })).toMatchObject({ status: 'idle' });
  });

  it('takes a URL only from people and from code agents with fetch: not from a node or a bare MQTT task', async () => {
    const fromNode = await hub.system.ask<Json>('manual-agent', { action: 'load_manual', device: 'x', url: PDF_URL }, 60_000, 'mqtt:kitchen-node');
    expect(fromNode.error).toMatch(/^mqtt:kitchen-node may not give manual-agent a URL to fetch: only people and this hub's agents with the "fetch" capability may/);
    // Without a URL it searches, for anyone.
    hub.llmServer!.reset();
    const searched = await hub.system.ask<Json>('manual-agent', { action: 'load_manual', device: 'Philips EP2200' }, 60_000, 'mqtt:kitchen-node');
    expect(searched).toMatchObject({ device: 'Philips EP2200', pages: 3 });
    expect(await ask({ action: 'clear' })).toMatchObject({ status: 'cleared' });
  });
});

describe('search result ranking', () => {
  it('prefers PDFs on trusted sites, decodes result wrappers, drops the engine and page chrome', () => {
    const html = searchPage(['https://blog.test/coffee', 'https://random.test/a.pdf', 'https://www.manualslib.com/manual/123/Philips-Ep2200.html', 'https://cdn.manualslib.com/x/ep2200.pdf', 'https://shop.test/ep2200-user-guide']);
    expect(rankManualLinks(html, 'https://html.duckduckgo.com/html/?q=x', ['manualslib.com'])).toEqual([
      'https://www.manualslib.com/manual/123/Philips-Ep2200/download.pdf', // a ManualsLib viewer page becomes its PDF
      'https://cdn.manualslib.com/x/ep2200.pdf',
      'https://random.test/a.pdf',
      'https://shop.test/ep2200-user-guide',
      'https://blog.test/coffee',
    ]);
    expect(rankManualLinks('<a href="javascript:alert(1)">x</a><a href="ftp://a.test/m.pdf">y</a>', 'https://s.test/', [])).toEqual([]);
  });
});
