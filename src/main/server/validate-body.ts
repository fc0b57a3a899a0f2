import { z } from 'zod';
import { HttpError } from './http-error.js';

/** Validates a request body with a schema; a bad body is a 400 that says which field and why. */
export function validateBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    throw new HttpError(400, 'invalid request body', r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  return r.data;
}
