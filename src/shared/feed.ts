/**
 * The activity feed (issue 16): what happened in the hub, one event at a time — agents spawned,
 * stopped, failed, deleted, deployed (with the version), approvals asked and given, alerts, nodes
 * online and offline, packages installed. One contract for `GET /api/feed`, `system/feed` (live,
 * in batches), `system/feed/recent` (retained, newest first) and the dashboard's Activity view.
 *
 * **A new kind is one entry in FEED_KINDS** (its label, tone and `detail` schema) and one call to
 * the hub's FeedPublisher where the thing happens (src/main/feed/README.md); the dashboard shows
 * it, filters by it and links it from the entry alone.
 *
 * Every event names its `subject` — what it is about, so the dashboard can link it: an agent (by
 * name), a node, a package, an approval. `text` is a sentence for people (untrusted where it
 * quotes an agent: rendered as text, never HTML).
 */
import { z } from 'zod';

const epochSeconds = z.number().nonnegative();
const severity = z.enum(['info', 'warning', 'critical']);

export type FeedTone = 'good' | 'neutral' | 'warning' | 'bad';

/** Every kind of event: label (for filters and rows), tone (colour) and its `detail`. */
export const FEED_KINDS = {
  spawned: { label: 'Spawned', tone: 'good', detail: z.looseObject({ version: z.number().int().positive().optional(), restart: z.boolean().optional(), agent_kind: z.string().optional() }) },
  stopped: { label: 'Stopped', tone: 'neutral', detail: z.looseObject({}) },
  failed: { label: 'Failed', tone: 'bad', detail: z.looseObject({ error: z.string().optional() }) },
  deleted: { label: 'Deleted', tone: 'neutral', detail: z.looseObject({}) },
  deployed: { label: 'Deployed', tone: 'good', detail: z.looseObject({ version: z.number().int().positive(), previous: z.number().int().positive().optional() }) },
  approval_requested: { label: 'Approval asked', tone: 'warning', detail: z.looseObject({ approval_id: z.string(), what: z.string().optional(), reason: z.string().optional() }) },
  approval_decided: { label: 'Approval given', tone: 'good', detail: z.looseObject({ approval_id: z.string(), decision: z.enum(['approved', 'denied']), by: z.string().optional() }) },
  alert: { label: 'Alert', tone: 'warning', detail: z.looseObject({ severity, resolved: z.boolean().optional() }) },
  node_online: { label: 'Node online', tone: 'good', detail: z.looseObject({ agents: z.number().int().nonnegative().optional() }) },
  node_offline: { label: 'Node offline', tone: 'bad', detail: z.looseObject({}) },
  installed: { label: 'Installed', tone: 'good', detail: z.looseObject({ packages: z.array(z.string()), job_id: z.string().optional() }) },
  install_failed: { label: 'Install failed', tone: 'bad', detail: z.looseObject({ packages: z.array(z.string()), job_id: z.string().optional() }) },
} as const satisfies Record<string, { label: string; tone: FeedTone; detail: z.ZodType }>;

export type FeedKind = keyof typeof FEED_KINDS;
export const FEED_KIND_NAMES = Object.keys(FEED_KINDS) as FeedKind[];

/** What an event is about (what the dashboard links it to). */
export const feedSubjectSchema = z.looseObject({
  type: z.enum(['agent', 'node', 'package', 'approval', 'pipeline']),
  /** The agent's name, the node's, the package's, the approval's id. */
  name: z.string().min(1).max(300),
  /** The agent's actor id, when the subject is an agent. */
  id: z.string().optional(),
  /** The remote node an agent runs on. */
  node: z.string().optional(),
});
export type FeedSubject = z.infer<typeof feedSubjectSchema>;

const baseFields = {
  /** Unique within the hub's run ("<start>-<n>"); events come in `id` order. */
  id: z.string().min(1),
  timestamp: epochSeconds,
  subject: feedSubjectSchema,
  text: z.string().max(2_000),
};

type KindSchema<K extends FeedKind> = z.ZodObject<{
  id: z.ZodString;
  timestamp: z.ZodNumber;
  subject: typeof feedSubjectSchema;
  text: z.ZodString;
  kind: z.ZodLiteral<K>;
  detail: (typeof FEED_KINDS)[K]['detail'];
}>;

function kindSchema<K extends FeedKind>(kind: K): KindSchema<K> {
  return z.looseObject({ ...baseFields, kind: z.literal(kind), detail: FEED_KINDS[kind].detail }) as unknown as KindSchema<K>;
}

const kindSchemas = FEED_KIND_NAMES.map((k) => kindSchema(k)) as unknown as [KindSchema<FeedKind>, ...KindSchema<FeedKind>[]];

export type FeedEvent = { [K in FeedKind]: { id: string; timestamp: number; subject: FeedSubject; text: string; kind: K; detail: z.infer<(typeof FEED_KINDS)[K]['detail']> } }[FeedKind];

/** One event; `detail` is checked against its kind's schema. */
export const feedEventSchema = z.discriminatedUnion('kind', kindSchemas) as unknown as z.ZodType<FeedEvent>;

/** What a publisher hands the FeedPublisher: the event without the id and time it assigns. */
export type FeedEventInput = { [K in FeedKind]: { kind: K; subject: FeedSubject; text: string; detail: z.input<(typeof FEED_KINDS)[K]['detail']>; timestamp?: number } }[FeedKind];

/** `system/feed`: live events in arrival order; `skipped` counts events of the batch not sent live (read them with GET /api/feed). */
export const feedBatchMessageSchema: z.ZodType<FeedBatchMessage, unknown> = z.looseObject({
  events: z.array(feedEventSchema),
  skipped: z.number().int().nonnegative().default(0),
});
export interface FeedBatchMessage {
  events: FeedEvent[];
  skipped: number;
}

/** `system/feed/recent` (retained), and `GET /api/feed`: newest first. */
export const feedPageSchema: z.ZodType<FeedPage, unknown> = z.looseObject({
  events: z.array(feedEventSchema),
  more: z.boolean(),
});
export interface FeedPage {
  events: FeedEvent[];
  /** True when older events matched than the page holds (ask again with `before`). */
  more: boolean;
}

/** `GET /api/feed` query. */
export const feedQuerySchema = z.object({
  /** Comma-separated kinds. */
  kind: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      const kinds = v.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = kinds.filter((k) => !(k in FEED_KINDS));
      if (bad.length) {
        ctx.addIssue({ code: 'custom', message: `unknown kind ${bad.join(', ')} (kinds: ${FEED_KIND_NAMES.join(', ')})` });
        return z.NEVER;
      }
      return kinds as FeedKind[];
    }),
  /** Only events about this subject name (an agent, a node…). */
  subject: z.string().max(300).optional(),
  /** Case-insensitive text search over the sentence and the subject. */
  q: z.string().max(200).optional(),
  /** Only events older than this id (the next page). */
  before: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export interface FeedQuery {
  kind?: FeedKind[] | undefined;
  subject?: string | undefined;
  q?: string | undefined;
  before?: string | undefined;
  limit: number;
}

/** The installer's progress (`installer/progress`), as far as the feed reads it. */
export const installerProgressSchema = z.looseObject({
  job_id: z.string(),
  packages: z.array(z.string()),
  status: z.string(),
  message: z.string().optional(),
  agent: z.string().nullish(),
  recipe: z.string().nullish(),
  timestamp: epochSeconds.optional(),
});
export type InstallerProgress = z.infer<typeof installerProgressSchema>;
