/**
 * The TypeScript compiler, loaded on first use: it is ~10 MB of JavaScript that a hub with no
 * agent to validate or transpile should not pay for at start.
 */
import { createRequire } from 'node:module';

type TypeScript = typeof import('typescript');

let ts: TypeScript | undefined;

export function typescript(): TypeScript {
  ts ??= createRequire(import.meta.url)('typescript') as TypeScript;
  return ts;
}
