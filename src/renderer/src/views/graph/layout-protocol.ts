/** The messages between the page and the layout worker (both our own code; still checked). */
import { z } from 'zod';
import type { LayoutResult } from './graph-layout.js';

export const layoutRequestSchema = z.object({
  id: z.number(),
  input: z.object({
    agents: z.array(z.object({ id: z.string(), node: z.string().nullable(), kind: z.string() })),
    edges: z.array(z.object({ from: z.string(), to: z.string() })),
    nodes: z.array(z.string()).optional(),
  }),
});

export const layoutAnswerSchema = z.union([
  z.object({ id: z.number(), result: z.custom<LayoutResult>((v) => typeof v === 'object' && v !== null && 'positions' in v && 'groups' in v) }),
  z.object({ id: z.number(), error: z.string() }),
]);
