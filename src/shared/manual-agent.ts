/**
 * The manual agent's wire contracts (the original's `manual-agent` catalog agent): what a task may
 * carry, what its LLM router may answer, what a search result link may be, its configuration and
 * the fields it answers with. Field names are the original's (snake_case), so its callers keep
 * working: `{text}` in natural language, or the legacy `{action, device, question, url}` form; answers
 * carry `result` (always) and, when they apply, `answer`, `device`, `url`, `pages`, `error`.
 */
import { z } from 'zod';

export const MANUAL_TOOLS = ['load_manual', 'ask', 'status', 'clear'] as const;
export type ManualTool = (typeof MANUAL_TOOLS)[number];

const MAX_TEXT = 4_000;
const lowerTrim = (v: unknown): unknown => (typeof v === 'string' ? v.trim().toLowerCase() : v);

/** A task: natural language as a string, or an object (the text fields are the original's aliases). */
export const manualTaskObjectSchema = z.looseObject({
  action: z.preprocess(lowerTrim, z.string().max(40)).optional(),
  text: z.string().max(MAX_TEXT).optional(),
  message: z.string().max(MAX_TEXT).optional(),
  query: z.string().max(MAX_TEXT).optional(),
  question: z.string().max(MAX_TEXT).optional(),
  device: z.string().trim().max(200).optional(),
  url: z.string().trim().max(2_000).optional(),
});
export type ManualTaskObject = z.infer<typeof manualTaskObjectSchema>;
export const manualTaskSchema = z.union([z.string().max(MAX_TEXT), manualTaskObjectSchema]);

/** The router LLM's decision: one tool and its arguments (extra keys are dropped). */
export const routerDecisionSchema = z.object({
  tool: z.preprocess(lowerTrim, z.enum(MANUAL_TOOLS)),
  device: z.string().trim().max(200).nullish(),
  question: z.string().trim().max(MAX_TEXT).nullish(),
});
export type RouterDecision = z.infer<typeof routerDecisionSchema>;

/** Spelling variants the LLM suggests when a search found nothing (the original asks for up to 3). */
export const deviceVariantsSchema = z.array(z.string().trim().min(1).max(200)).max(10);

/** A link taken from a search page: absolute http(s), bounded. */
export const searchLinkSchema = z.url({ protocol: /^https?$/ }).max(2_000);

/** Host names of manual sites preferred among search results (the original's TRUSTED_SITES). */
export const DEFAULT_TRUSTED_SITES = [
  'manualslib.com',
  'manualzz.com',
  'manuals.plus',
  'documents.philips.com',
  'download.p4c.philips.com',
  'support.brother.com',
  'docs.brother.com',
  'support.hp.com',
  'support.epson.net',
  'support.canon.com',
  'dl.owneriq.net',
];

/** The original's fallback search: DuckDuckGo's HTML page (`{query}` is replaced, URL-encoded). */
export const DEFAULT_SEARCH_URL = 'https://html.duckduckgo.com/html/?q={query}';

const hostName = z.string().trim().toLowerCase().regex(/^[a-z0-9.-]+$/, 'a host name such as manualslib.com').max(253);

/** The agent's configuration (a catalog spawn's `config`, or a spawn block's `config`). */
export const manualAgentConfigSchema = z.object({
  search_url: z
    .string()
    .max(2_000)
    .refine((s) => s.includes('{query}'), 'the search URL needs a {query} placeholder')
    .refine((s) => /^https?:\/\//i.test(s), 'the search URL must be http(s)')
    .default(DEFAULT_SEARCH_URL),
  trusted_sites: z.array(hostName).max(200).default(DEFAULT_TRUSTED_SITES),
  /** Largest PDF downloaded, MB. */
  max_pdf_mb: z.number().min(0.01).max(200).default(25),
  /** Pages whose text is extracted (the original stops at 80). */
  max_pages: z.number().int().min(1).max(2_000).default(150),
  /** Text kept from one manual, characters (stored with the agent's state). */
  max_text_chars: z.number().int().min(1_000).max(5_000_000).default(600_000),
  /** Candidate links tried per load. */
  max_candidates: z.number().int().min(1).max(20).default(6),
  /** Manual text put in one question's prompt, characters (the original: 6000). */
  context_chars: z.number().int().min(500).max(60_000).default(6_000),
  /** The whole load (search, downloads, extraction), seconds: under main's 60 s for an @mention. */
  load_timeout_seconds: z.number().min(1).max(600).default(50),
});
export type ManualAgentConfig = z.infer<typeof manualAgentConfigSchema>;

/** What every answer looks like (the original's output_schema, plus its extra fields). */
export const manualAgentResultSchema = z.looseObject({
  result: z.string(),
  answer: z.string().optional(),
  device: z.string().optional(),
  url: z.string().optional(),
  pages: z.number().int().optional(),
  error: z.string().optional(),
  status: z.enum(['idle', 'loaded', 'cleared']).optional(),
  hint: z.string().optional(),
});
export type ManualAgentResult = z.infer<typeof manualAgentResultSchema>;

/** The loaded manual as the agent stores it (SQLite), read back through this schema. */
export const storedManualSchema = z.object({
  device: z.string(),
  url: z.string(),
  pages: z.number().int().min(0),
  /** Text of the pages kept, index 0 = page 1. */
  texts: z.array(z.string()),
  loaded_at: z.number(),
});
export type StoredManual = z.infer<typeof storedManualSchema>;

/** Device (normalised) → PDF links that worked, best first (the original's url_cache). */
export const urlCacheSchema = z.record(z.string(), z.array(z.string()).max(5));
