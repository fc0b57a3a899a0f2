/**
 * What MonitorAgent sends to main (a COMMAND message, fire-and-forget: nobody replies to an alert)
 * when an actor goes silent, comes back, or has failed. The `alert` is the same document it
 * publishes on `agents/{id}/alert` (failures are only sent to main: the actor system already
 * published their alert).
 *
 * main recognises it in its `handleMessage`:
 *   if (msg.type === 'COMMAND' && isMonitorAlert(msg.payload)) { … msg.payload.alert … }
 * The payload has no `command` field, so an actor's default COMMAND handling ignores it.
 */
import { z } from 'zod';
import { alertSchema } from '../../../shared/mqtt-payloads.js';

export const monitorAlertMessageSchema = z.object({
  kind: z.literal('alert'),
  /** warning/critical when raised, info with `resolved: true` when cleared. */
  alert: alertSchema,
  /** raise | resolve | failed */
  event: z.enum(['raise', 'resolve', 'failed']),
});
export type MonitorAlertMessage = z.infer<typeof monitorAlertMessageSchema>;

export function isMonitorAlert(payload: unknown): payload is MonitorAlertMessage {
  return monitorAlertMessageSchema.safeParse(payload).success;
}
