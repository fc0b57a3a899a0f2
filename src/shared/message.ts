/** Messages between actors in one process (mailbox to mailbox, never through the broker). */
export const MESSAGE_TYPES = ['TASK', 'RESULT', 'HEARTBEAT', 'ERROR', 'COMMAND'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export interface Message<P = unknown> {
  id: string;
  type: MessageType;
  /** Sender actor name ("external" for interfaces). */
  sender: string;
  /** Recipient actor name. */
  recipient: string;
  payload: P;
  /** Actor name a RESULT/ERROR should go to; set by `ask`. */
  replyTo?: string;
  /** Ties a RESULT/ERROR to the TASK that asked for it. */
  correlationId?: string;
  /** Epoch milliseconds. */
  ts: number;
}

/** Payload of an ERROR message. */
export interface ErrorPayload {
  error: string;
  /** timeout | crash | out_of_memory | bad_input | not_found | refused | overflow */
  kind?: string;
  detail?: unknown;
}
