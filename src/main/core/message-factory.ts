/** Builds Messages with process-unique ids, cheaply (this is on the send hot path). */
import { randomBytes } from 'node:crypto';
import type { Message, MessageType } from '../../shared/message.js';

// A random per-process prefix plus a counter: unique within and (practically) across processes,
// without the cost of a UUID per message.
const prefix = `${randomBytes(4).toString('hex')}-`;
let seq = 0;

export function nextMessageId(): string {
  return prefix + (++seq).toString(36);
}

export function makeMessage<P>(type: MessageType, sender: string, recipient: string, payload: P): Message<P> {
  return { id: prefix + (++seq).toString(36), type, sender, recipient, payload, ts: Date.now() };
}
