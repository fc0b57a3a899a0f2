/** A stand-in for main in IOAgent tests: the chat contract of src/shared/chat.ts, nothing else. */
import type { Message } from '../../../../shared/message.js';
import { parseChatTask, type ChatTask } from '../../../../shared/chat.js';
import { TaskError } from '../../../core/errors.js';
import { Actor } from '../../../core/actor.js';

export type Responder = (task: ChatTask, main: FakeMain) => Promise<unknown>;

/**
 * Validates the chat TASK as main does (parseChatTask; bad_input when it breaks the contract), lets `respond` stream chunks (system.streams.emit) and answers with
 * what it returns as the RESULT (or an ERROR when it throws). Like the real main, it handles chats
 * concurrently: the handler starts the work and returns.
 */
export class FakeMain extends Actor {
  readonly tasks: ChatTask[] = [];
  constructor(private readonly respond: Responder) {
    super({ name: 'main' });
  }
  protected override handleMessage(msg: Message): void {
    if (msg.type !== 'TASK') return;
    // As the real main does: a payload that breaks the contract is answered with bad_input.
    const parsed = parseChatTask(msg.payload);
    if (!parsed.ok) return this.replyError(msg, new TaskError(parsed.error, 'bad_input'));
    const task = parsed.task;
    this.tasks.push(task);
    this.respond(task, this).then(
      (result) => this.reply(msg, result),
      (e: unknown) => this.replyError(msg, e),
    );
  }
  stream(task: ChatTask, chunk: string): boolean {
    return this.system.streams.emit(task.message_id, chunk);
  }
}

/** Streams "You said: <text>" word by word, then answers with all of it. */
export const wordByWord: Responder = async (task, main) => {
  const reply = `You said: ${task.text}`;
  for (const word of reply.split(/(?<= )/)) {
    await new Promise((r) => setImmediate(r)); // one word per event-loop turn
    main.stream(task, word);
  }
  return { reply, agent: 'main' };
};
