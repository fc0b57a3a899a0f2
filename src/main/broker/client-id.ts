import { createHash } from 'node:crypto';

/**
 * A client id that stays the same across restarts for the same `seed` (e.g. `hub:<host>:<state
 * dir>`), so a persistent session (clean: false) finds its queued QoS 1 messages again. 23
 * characters: the longest every MQTT 3.1.1 broker must accept.
 */
export function stableClientId(seed: string, prefix = 'wactorz-'): string {
  const room = Math.max(6, 23 - prefix.length);
  return prefix + createHash('sha256').update(seed).digest('hex').slice(0, room);
}
