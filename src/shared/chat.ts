/**
 * The chat contract between an interface (IOAgent for MQTT, the CLI, REST's POST /chat) and main,
 * over the actor runtime (not MQTT):
 *
 *   interface → main: a TASK with a ChatTask payload;
 *   main → interface: chunks as they come, via `system.streams.emit(message_id, chunk)` (optional),
 *                     then a RESULT with a ChatResult payload carrying the whole reply.
 *
 * MQTT-side payloads (`io/chat`, `io/chat/response`, `agents/{id}/chat`) are in mqtt-payloads.ts.
 */
import { z } from 'zod';

/** TASK payload: one user message for main to answer. */
export const chatTaskSchema = z.looseObject({
  kind: z.literal('chat'),
  /** What the user wrote (`@name …`, `/command …` or conversation). */
  text: z.string(),
  /** Who wrote it (the `from` of `io/chat`, a CLI user, a REST client…). */
  from: z.string().min(1),
  /** Which interface it came through: mqtt, cli, rest, discord, telegram, whatsapp… */
  interface: z.string().min(1),
  /** Correlates the streamed chunks (StreamRegistry id) and the replies with the request. */
  message_id: z.string().min(1),
  /** false: the interface shows the reply itself; main posts no copy on `agents/{main}/chat`. */
  announce: z.boolean().optional(),
});
export type ChatTask = z.infer<typeof chatTaskSchema>;

/** How main understood a chat message: Home Assistant, a pipeline for the planner, or conversation. */
export const CHAT_INTENTS = ['HA', 'PIPELINE', 'OTHER'] as const;
export type ChatIntent = (typeof CHAT_INTENTS)[number];

/** RESULT payload: main's whole reply, and which agent produced it (`main`, or the @mentioned one). */
export const chatResultSchema = z.looseObject({
  reply: z.string(),
  agent: z.string().min(1),
  /** How main understood the message (absent for @mentions and /commands). */
  intent: z.enum(CHAT_INTENTS).optional(),
});
export type ChatResult = z.infer<typeof chatResultSchema>;

/** True when a TASK payload says it is a chat message (`kind: 'chat'`), valid or not. */
export function isChatKind(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && (payload as { kind?: unknown }).kind === 'chat';
}

/** Reads a chat TASK payload; the error names every missing or wrong field. */
export function parseChatTask(payload: unknown): { ok: true; task: ChatTask } | { ok: false; error: string } {
  const r = chatTaskSchema.safeParse(payload);
  if (r.success) return { ok: true, task: r.data };
  return { ok: false, error: `invalid chat task: ${r.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}` };
}
