/**
 * IOAgent ('io', protected): the gateway between MQTT chat clients and main. See README.md for
 * the streaming contract.
 *
 *   io/chat {from, content, message_id?}
 *     → streams.open(message_id) ; ask main a ChatTask
 *     → io/chat/response {done:false, content: chunk}   for every chunk main emits
 *     → io/chat/response {done:true,  content: reply}   (main itself posts the exchange on agents/<main id>/chat)
 *     → or, on failure, io/chat/response {done:true, error:true, content: what went wrong}
 *
 * Each chat is relayed concurrently: the bus callback starts the ask and returns, so a slow answer
 * to one client never holds up another (main decides how many it answers at once).
 */
import { randomUUID } from 'node:crypto';
import { Actor } from '../../core/actor.js';
import { AskError, toError } from '../../core/errors.js';
import { topics } from '../../../shared/topics.js';
import { ioChatSchema, parsePayload, type IoChatResponse } from '../../../shared/mqtt-payloads.js';
import { chatResultSchema, type ChatResult, type ChatTask } from '../../../shared/chat.js';

export interface IOAgentOptions {
  /** The actor chats are sent to (default 'main'). */
  mainName?: string;
  /** How long to wait for main's RESULT (default 180 s: LLM replies can be slow). */
  replyTimeoutMs?: number;
  /** The `interface` of the ChatTask and of `agents/{id}/chat` (default 'mqtt'). */
  interfaceName?: string;
}

export const DEFAULT_REPLY_TIMEOUT_MS = 180_000;

const nowSeconds = (): number => Date.now() / 1000;

interface Chat {
  from: string;
  content: string;
  messageId: string;
}

export class IOAgent extends Actor {
  readonly mainName: string;
  readonly replyTimeoutMs: number;
  readonly interfaceName: string;
  /** message_ids being answered (a duplicate delivery of the same chat is dropped). */
  private readonly inFlight = new Set<string>();

  constructor(opts: IOAgentOptions = {}) {
    const mainName = opts.mainName ?? 'main';
    super({
      name: 'io',
      kind: 'core',
      protected: true,
      description: 'Gateway between MQTT chat clients (io/chat) and main; streams replies on io/chat/response',
      capabilities: ['chat-gateway'],
      publishes: [topics.ioChatResponse],
    });
    this.mainName = mainName;
    this.replyTimeoutMs = opts.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
    this.interfaceName = opts.interfaceName ?? 'mqtt';
    if (!(this.replyTimeoutMs > 0)) throw new RangeError(`IOAgent replyTimeoutMs must be positive, got ${this.replyTimeoutMs}`);
  }

  /** Chats waiting for main's answer. */
  get pendingChats(): number {
    return this.inFlight.size;
  }

  protected override onStart(): void {
    this.subscribe(topics.ioChat, (_topic, raw) => this.onChat(raw));
  }

  private onChat(raw: Buffer): void {
    const parsed = parsePayload(ioChatSchema, raw);
    if (!parsed.ok) {
      this.log('warning', `dropped a malformed io/chat message: ${parsed.error}`);
      return;
    }
    const chat: Chat = { from: parsed.value.from, content: parsed.value.content, messageId: parsed.value.message_id || randomUUID() };
    if (this.inFlight.has(chat.messageId)) {
      // Same id while the first is still being answered: a redelivery (QoS 1) or a client bug.
      this.log('warning', `dropped io/chat from ${chat.from}: message_id ${chat.messageId} is already being answered`);
      return;
    }
    this.inFlight.add(chat.messageId);
    void this.relay(chat);
  }

  /** Asks main and publishes the chunks and the final reply (or the error). Never rejects. */
  private async relay(chat: Chat): Promise<void> {
    const { from, messageId } = chat;
    const closeStream = this.system.streams.open(messageId, (chunk) => {
      if (typeof chunk !== 'string' || chunk.length === 0) return;
      this.respond({ from: this.mainName, to: from, content: chunk, done: false, message_id: messageId, timestamp: nowSeconds() });
    });
    try {
      const task: ChatTask = { kind: 'chat', text: chat.content, from, interface: this.interfaceName, message_id: messageId };
      let result: ChatResult;
      try {
        const answer = await this.ask(this.mainName, task, this.replyTimeoutMs);
        const parsed = chatResultSchema.safeParse(answer);
        if (!parsed.success) throw new Error(`${this.mainName} answered with an unexpected payload (expected {reply, agent})`);
        result = parsed.data;
      } finally {
        // Chunks arriving after the RESULT (or the failure) must not follow the final message.
        closeStream();
      }
      const timestamp = nowSeconds();
      this.respond({ from: this.mainName, to: from, content: result.reply, done: true, message_id: messageId, timestamp, agent: result.agent });
      this.counters.tasksCompleted++;
    } catch (e) {
      this.counters.tasksFailed++;
      const content = this.explain(e);
      this.log('warning', `chat ${messageId} from ${from}: ${content}`);
      this.respond({ from: this.mainName, to: from, content, done: true, error: true, message_id: messageId, timestamp: nowSeconds() });
    } finally {
      this.inFlight.delete(messageId);
    }
  }

  private respond(r: IoChatResponse): void {
    this.publish(topics.ioChatResponse, r);
  }

  /** A message the person chatting can act on. */
  private explain(e: unknown): string {
    const main = this.mainName;
    if (e instanceof AskError) {
      switch (e.kind) {
        case 'not_found':
          return `Error: ${main} is not running, so nobody can answer right now. Check the hub's logs, or restart the hub.`;
        case 'timeout':
          return `Error: ${main} did not answer within ${duration(this.replyTimeoutMs)}. Try again, or check the LLM configuration.`;
        case 'stopped':
          return `Error: ${main} stopped before answering. Try again in a moment.`;
        case 'overflow':
          return `Error: ${main} is overloaded (its inbox is full). Try again in a moment.`;
        default:
          return `Error: ${main} could not answer: ${e.payload.error}`;
      }
    }
    return `Error: ${toError(e).message}`;
  }
}

function duration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
