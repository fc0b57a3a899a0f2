/**
 * The messages between the page and the bus worker (`bus.worker.ts`). Both ends are our own
 * bundled code on the page's origin, so the port is not a trust boundary: the MQTT payloads were
 * validated with the shared schemas in the worker, before they became a `DashboardUpdate`. The
 * envelopes are still checked (a message of an unknown shape is dropped, never thrown on), so a
 * stale worker from an older build cannot confuse a newer page.
 */
import { z } from 'zod';
import type { DashboardUpdate } from './topic-router.js';

const linkState = z.enum(['connecting', 'online', 'reconnecting', 'offline']);

export const toWorkerSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('start'), url: z.string(), token: z.string().nullable(), clientId: z.string(), subscriptions: z.array(z.string()) }),
  z.object({ t: z.literal('publish'), id: z.number(), topic: z.string(), payload: z.unknown(), qos: z.union([z.literal(0), z.literal(1)]) }),
  z.object({ t: z.literal('stop') }),
]);
export type ToWorker = z.infer<typeof toWorkerSchema>;

export const fromWorkerSchema = z.discriminatedUnion('t', [
  // The update's content was validated field by field in the worker (see above).
  z.object({ t: z.literal('update'), u: z.custom<DashboardUpdate>((v) => typeof v === 'object' && v !== null && Array.isArray((v as { logs?: unknown }).logs)) }),
  z.object({ t: z.literal('state'), state: linkState, detail: z.string().optional() }),
  z.object({ t: z.literal('unauthorized') }),
  z.object({ t: z.literal('published'), id: z.number(), ok: z.boolean() }),
  z.object({ t: z.literal('stopped') }),
]);
export type FromWorker = z.infer<typeof fromWorkerSchema>;

/** What both a Worker (page side) and a worker's global scope or a MessagePort (worker side) offer. */
export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
  removeEventListener?(type: 'message', listener: (e: { data: unknown }) => void): void;
  /** MessagePort only: starts delivery when listening with addEventListener. */
  start?(): void;
}
