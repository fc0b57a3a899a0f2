/**
 * ManualAgent — the original's `manual-agent` catalog agent, host-side: finds a device's manual on
 * the web (a search page, trusted manual sites first), downloads the PDF, extracts its text, and
 * answers questions about the device with the LLM, from the pages that match the question.
 *
 * Host-side, not a sandboxed recipe, because what it does is the host's business: PDF parsing
 * needs pdf.js (megabytes of code no QuickJS sandbox should carry, and binary bodies agent.fetch
 * does not return), and its web access goes through the hub's safe-fetch with its own caps and no
 * way to reach this machine. It is still spawned from the catalog (`catalogue_agents/manual-agent`,
 * spawn type `manual_agent`), registered, restored after a restart, and deleted like any agent.
 *
 * Tasks (the original's two forms):
 *   "load the Philips 2200 manual" | {text: "how do I descale it?"}  → the LLM router picks the tool
 *   {action: "load_manual" | "ask" | "status" | "clear", device?, question?, url?}  → directly
 * Answers: {result, answer?, device?, url?, pages?, error?, status?, hint?}. Bad input is an
 * `{error}` answer, never a crash. The loaded manual and the per-device URL cache are kept in
 * SQLite (`durable:` keys) and read back at start.
 *
 * Who may hand it a URL: a person (chat, REST, /ws, io/chat through main), or a code agent of this
 * hub with the `fetch` capability — otherwise an agent without `fetch` would get the hub to fetch
 * for it; a task from a node or a bare MQTT task may not. Private addresses are refused to everyone
 * (safe-fetch, no `fetch_local`).
 */
import type { Message } from '../../../shared/message.js';
import { manualTaskObjectSchema, manualTaskSchema, searchLinkSchema, storedManualSchema, urlCacheSchema, type ManualAgentConfig, type ManualTaskObject, type StoredManual } from '../../../shared/manual-agent.js';
import { Actor } from '../../core/actor.js';
import { toError } from '../../core/errors.js';
import type { LlmProvider } from '../../llm/provider.js';
import { Deadline, ManualFetcher, type ManualNetSeams } from './manual-fetcher.js';
import { formatContext, selectContext } from './manual-context.js';
import { heuristicRoute, parseDeviceVariants, parseRouterDecision, ROUTER_SYSTEM, routerPrompt, variantsPrompt } from './manual-router.js';
import { extractPdfText, PdfTextError } from './pdf-text.js';

/** The original's capability labels (descriptive: they grant nothing). */
export const MANUAL_AGENT_CAPABILITIES = ['web_search', 'pdf_extraction', 'qa_assistant', 'device_manuals', 'natural_language'];
/** Capabilities that let a code agent fetch (as agent-permissions.ts names them): needed to hand over a URL. */
const FETCH_CAPABILITIES = ['fetch', 'http', 'network'];
const MANUAL_KEY = 'durable:manual';
const CACHE_KEY = 'durable:url_cache';
const HINT_LOAD = "Try: 'load the manual for <device model>'.";
const ASK_SYSTEM = 'You answer questions strictly based on provided manual content.';

export type ManualAnswer = Record<string, unknown> & { result: string };

export interface ManualAgentOptions {
  name: string;
  description?: string;
  config: ManualAgentConfig;
  /** Billed to this agent (withCostTracking) by whoever builds it. */
  llm: LlmProvider;
  /** safe-fetch's test seams; tests only. */
  net?: ManualNetSeams;
}

const fail = (error: string, extra: Record<string, unknown> = {}): ManualAnswer => ({ error, result: typeof extra.result === 'string' ? extra.result : error, ...extra });

/** Normalises a device name for the URL cache: "Philips EP2200/10 " → "philips ep2200". */
export function cacheKey(device: string): string {
  return device.toLowerCase().split('/')[0]!.replace(/\s+/g, ' ').trim();
}

export class ManualAgent extends Actor {
  private manual: StoredManual | null = null;
  private urlCache: Record<string, string[]> = {};
  private readonly fetcher: ManualFetcher;

  constructor(private readonly o: ManualAgentOptions) {
    super({
      name: o.name,
      kind: 'catalog',
      description: o.description ?? 'Finds device manuals on the web, downloads the PDF, extracts text, and answers questions about the device in natural language',
      capabilities: MANUAL_AGENT_CAPABILITIES,
      inputSchema: { text: "str — natural-language request ('load the Philips 2200 manual', 'how do I descale it?'); the legacy {action, device, question, url} form is accepted too" },
      outputSchema: { result: 'str', answer: 'str', device: 'str', url: 'str', pages: 'int', error: 'str' },
    });
    this.fetcher = new ManualFetcher(o.config, o.net);
  }

  protected override async onStart(): Promise<void> {
    const manual = storedManualSchema.safeParse(await this.recall(MANUAL_KEY));
    this.manual = manual.success ? manual.data : null;
    const cache = urlCacheSchema.safeParse(await this.recall(CACHE_KEY));
    this.urlCache = cache.success ? cache.data : {};
    this.log('info', this.manual ? `manual ready: ${this.manual.device} (${this.manual.pages} pages)` : "ready: 'load the Philips 2200 manual', then ask about it");
  }

  protected override async handleTask(payload: unknown, msg: Message): Promise<ManualAnswer> {
    const normalised = this.normalise(payload);
    if (!normalised.ok) return normalised.answer;
    const task = normalised.task;
    if (task.action) return this.dispatch(task.action, task, msg.sender);
    const text = (task.text || task.query || task.question || task.message || '').trim();
    if (!text) return fail('Empty request.', { hint: "Send a request like 'load the Philips 2200 manual' or 'how do I descale it?'." });
    return this.o.llm.configured ? this.llmRoute(text) : this.heuristic(text);
  }

  /** A string (text or JSON text) or an object; a `text` that is itself JSON is unwrapped once (as the original). */
  private normalise(payload: unknown): { ok: true; task: ManualTaskObject } | { ok: false; answer: ManualAnswer } {
    const parsed = manualTaskSchema.safeParse(payload);
    if (!parsed.success) return { ok: false, answer: fail('Invalid payload: expected text, {text} or {action, device?, question?, url?} (strings of reasonable length).') };
    let task: ManualTaskObject = typeof parsed.data === 'string' ? { text: parsed.data } : parsed.data;
    const inner = (task.text ?? task.message ?? task.query ?? '').trim();
    if (inner.startsWith('{')) {
      try {
        const obj = manualTaskObjectSchema.safeParse(JSON.parse(inner));
        if (obj.success) task = { ...task, ...obj.data, ...(obj.data.text === undefined ? { text: undefined } : {}) };
      } catch {
        // plain text that starts with a brace
      }
    }
    return { ok: true, task };
  }

  private async dispatch(action: string, p: ManualTaskObject, sender: string): Promise<ManualAnswer> {
    switch (action) {
      case 'load_manual': {
        const device = (p.device || p.query || p.text || '').trim();
        if (!device) return fail("Missing 'device' field");
        if (p.url) {
          const refused = this.mayGiveUrl(sender);
          if (refused) return fail(refused);
        }
        return this.load(device, p.url);
      }
      case 'ask': {
        const question = (p.question || p.query || p.text || '').trim();
        if (!question) return fail("Missing 'question' field");
        return this.answer(question);
      }
      case 'status':
        return this.status();
      case 'clear':
        return this.clear();
      default:
        return fail(`Unknown action: '${action}'`, { supported: ['load_manual', 'ask', 'status', 'clear'] });
    }
  }

  /**
   * Null when `sender` may hand over a URL, else why not: a person's interfaces (REST, /ws, chat
   * through main: `external` or one of the hub's own actors) may; a local code agent with `fetch`
   * may; anyone else — a code agent without it, a node's agent or an MQTT task (`mqtt:…`), a name
   * this hub does not know — may not.
   */
  private mayGiveUrl(sender: string): string | null {
    const leaveOut = '(leave "url" out to search for the manual)';
    if (sender === 'external') return null;
    const actor = this.system.get(sender);
    if (!actor) return `${sender} may not give ${this.name} a URL to fetch: only people and this hub's agents with the "fetch" capability may ${leaveOut}`;
    if (actor.kind !== 'dynamic' && actor.kind !== 'catalog') return null;
    if (actor.capabilities.some((c) => FETCH_CAPABILITIES.includes(c.toLowerCase()))) return null;
    return `${sender} may not give ${this.name} a URL to fetch: it needs the "fetch" capability ${leaveOut}`;
  }

  private async llmRoute(text: string): Promise<ManualAnswer> {
    let raw: string;
    try {
      raw = (await this.o.llm.complete([{ role: 'user', content: routerPrompt(text, this.manual) }], ROUTER_SYSTEM, { maxTokens: 300, temperature: 0 })).text;
    } catch (e) {
      this.log('warning', `LLM router failed (${toError(e).message}); using the keyword router`);
      return this.heuristic(text);
    }
    const decision = parseRouterDecision(raw);
    if (!decision) {
      this.log('warning', `the LLM router's answer is not a valid tool call (${JSON.stringify(raw.slice(0, 200))}); using the keyword router`);
      return this.heuristic(text);
    }
    this.log('info', `router: ${decision.tool}${decision.device ? ` device=${decision.device}` : ''}`);
    if (decision.tool === 'load_manual') return this.load(decision.device!);
    if (decision.tool === 'ask') return this.answer(decision.question || text);
    return decision.tool === 'status' ? this.status() : this.clear();
  }

  private heuristic(text: string): Promise<ManualAnswer> | ManualAnswer {
    const r = heuristicRoute(text, this.manual !== null);
    if (r.tool === 'clear') return this.clear();
    if (r.tool === 'status') return this.status();
    if (r.tool === 'load_manual') return this.load(r.device);
    if (r.tool === 'ask') return this.answer(r.question);
    return fail("No manual loaded yet, and I couldn't tell which device you mean.", { hint: HINT_LOAD });
  }

  // ── the tools ─────────────────────────────────────────────────────────────

  private async load(device: string, explicitUrl?: string): Promise<ManualAnswer> {
    this.currentTask = `loading the ${device} manual`;
    try {
      const deadline = new Deadline(this.o.config.load_timeout_seconds);
      if (explicitUrl !== undefined) {
        const url = searchLinkSchema.safeParse(explicitUrl);
        if (!url.success) return fail(`"url" must be an http(s) URL (got ${JSON.stringify(explicitUrl.slice(0, 100))})`);
        return await this.loadFrom(device, [url.data], deadline);
      }
      const first = await this.loadOnce(device, deadline);
      if (!first.notFound || !this.o.llm.configured) return first.answer;
      // Nothing found: the LLM suggests spellings (Phillips → Philips), two are tried (the original's retry).
      for (const variant of (await this.variants(device)).filter((v) => cacheKey(v) !== cacheKey(device)).slice(0, 2)) {
        const next = await this.loadOnce(variant, deadline);
        if (!next.answer.error) return { ...next.answer, corrected_from: device, result: `(Resolved '${device}' → '${variant}')\n${next.answer.result}` };
      }
      return first.answer;
    } finally {
      this.currentTask = null;
    }
  }

  private async variants(device: string): Promise<string[]> {
    try {
      const res = await this.o.llm.complete([{ role: 'user', content: variantsPrompt(device) }], 'You are a device-naming expert. Return only valid JSON.', { maxTokens: 200, temperature: 0 });
      return parseDeviceVariants(res.text);
    } catch (e) {
      this.log('warning', `device-name suggestions failed: ${toError(e).message}`);
      return [];
    }
  }

  /** Cached links first, then the search's. */
  private async loadOnce(device: string, deadline: Deadline): Promise<{ answer: ManualAnswer; notFound: boolean }> {
    const cached = this.urlCache[cacheKey(device)] ?? [];
    const { links, problems } = await this.fetcher.search(device, deadline);
    const candidates = [...new Set([...cached, ...links])];
    if (candidates.length === 0) {
      const why = problems.length ? ` (${problems.join('; ')})` : '';
      return {
        notFound: true,
        answer: fail(`Could not find a PDF manual for: ${device}${why}`, {
          result: `I couldn't find a PDF manual for '${device}'${why}. Try again later, or send the URL: {"action": "load_manual", "device": "${device}", "url": "https://..."}`,
          hint: 'Search engines may be rate-limiting. Try again in a few minutes, or pass an explicit url field with the manual URL.',
        }),
      };
    }
    return { notFound: false, answer: await this.loadFrom(device, candidates, deadline) };
  }

  /** Tries the links in order; the first that yields a PDF with text becomes the loaded manual. */
  private async loadFrom(device: string, candidates: string[], deadline: Deadline): Promise<ManualAnswer> {
    const tried = candidates.slice(0, this.o.config.max_candidates);
    const failures: { url: string; reason: string }[] = [];
    for (const [i, link] of tried.entries()) {
      if (deadline.seconds() === 0) {
        failures.push({ url: link, reason: `not tried: the load took longer than ${this.o.config.load_timeout_seconds} s` });
        continue;
      }
      this.log('info', `[${i + 1}/${tried.length}] trying ${link}`);
      const got = await this.fetcher.downloadPdf(link, deadline);
      if (!got.ok) {
        failures.push({ url: link, reason: got.reason });
        continue;
      }
      let text;
      try {
        text = await extractPdfText(got.bytes, { maxPages: this.o.config.max_pages, maxChars: this.o.config.max_text_chars, until: deadline.at });
      } catch (e) {
        failures.push({ url: link, reason: e instanceof PdfTextError ? e.message : `text extraction failed: ${toError(e).message}` });
        continue;
      }
      const chars = text.texts.reduce((n, t) => n + t.length, 0);
      if (chars === 0) {
        failures.push({ url: link, reason: 'no extractable text (a scanned PDF?)' });
        continue;
      }
      this.manual = { device, url: got.url, pages: text.pages, texts: text.texts, loaded_at: Date.now() / 1000 };
      const key = cacheKey(device);
      this.urlCache[key] = [got.url, ...(this.urlCache[key] ?? []).filter((u) => u !== got.url)].slice(0, 5);
      await this.persist(MANUAL_KEY, this.manual);
      await this.persist(CACHE_KEY, this.urlCache);
      this.log('info', `manual loaded: ${device}, ${text.pages} pages, ${chars} characters${text.truncated ? ' (capped)' : ''}`);
      const preview = text.texts.join(' ').slice(0, 300).replace(/\s+/g, ' ').trim();
      return {
        success: true,
        device,
        url: got.url,
        pages: text.pages,
        chars,
        ...(text.truncated ? { truncated: true } : {}),
        preview,
        result: `Manual loaded: ${device}\n  URL:   ${got.url}\n  Pages: ${text.pages}\n  Chars: ${chars.toLocaleString('en-US')}`,
      };
    }
    const reasons = failures.map((f) => `${f.url}: ${f.reason}`).join('\n  ');
    const error = tried.length === 1 ? `Could not load the manual for ${device} from ${failures[0]!.url}: ${failures[0]!.reason}` : `Could not load any of ${tried.length} candidate manuals for: ${device}`;
    return fail(error, { result: `${error}\n  ${reasons}`, candidates_tried: failures });
  }

  private async answer(question: string): Promise<ManualAnswer> {
    const manual = this.manual;
    if (!manual) return fail('No manual loaded yet.', { hint: "Tell me which device's manual to load first, e.g. 'load the Philips 2200 manual'." });
    if (!this.o.llm.configured) return fail('No LLM configured on this agent.');
    const chunks = selectContext(manual.texts, question, this.o.config.context_chars);
    const prompt = [
      'You are a helpful assistant. Answer the question below using ONLY the provided manual excerpt.',
      `Device: ${manual.device}`,
      `Manual excerpt:\n${formatContext(chunks)}`,
      `Question: ${question}`,
      "Give a clear, step-by-step answer based on the manual. If the manual doesn't contain the answer, say so.",
    ].join('\n\n');
    try {
      const res = await this.o.llm.complete([{ role: 'user', content: prompt }], ASK_SYSTEM, { maxTokens: 1_024 });
      const pages = [...new Set(chunks.map((c) => c.page))];
      return { device: manual.device, question, answer: res.text, pages_used: pages, result: res.text };
    } catch (e) {
      const m = toError(e).message;
      return fail(`LLM call failed: ${m}`, { result: `Sorry, the LLM call failed: ${m}` });
    }
  }

  private status(): ManualAnswer {
    const m = this.manual;
    if (!m) return { status: 'idle', result: 'No manual loaded.' };
    const chars = m.texts.reduce((n, t) => n + t.length, 0);
    return { status: 'loaded', device: m.device, url: m.url, pages: m.pages, chars, result: `Loaded: ${m.device} (${m.pages} pages, ${chars.toLocaleString('en-US')} chars)` };
  }

  private async clear(): Promise<ManualAnswer> {
    this.manual = null;
    await this.system.persistence.forget(this.name, MANUAL_KEY);
    return { status: 'cleared', result: 'Manual cleared.' };
  }
}
