/**
 * The default interface: chat with main in the terminal, replies streamed as they come. Without a
 * TTY (a pipe, a service manager) it reads lines from stdin and, when stdin ends, keeps the hub
 * serving until SIGINT/SIGTERM — the dashboard and MQTT stay up.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export type ChatFn = (text: string, onChunk: (chunk: string) => void) => Promise<string>;

export interface CliChatOptions {
  chat: ChatFn;
  input?: Readable;
  output?: Writable;
  /** Interactive prompt and colours; defaults to whether stdin is a TTY. */
  interactive?: boolean;
}

export interface CliChat {
  /** Resolves when input has ended (EOF or Ctrl-D). */
  readonly done: Promise<void>;
  close(): void;
}

export function startCliChat(opts: CliChatOptions): CliChat {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  const interactive = opts.interactive ?? Boolean((input as NodeJS.ReadStream).isTTY);
  const rl = createInterface({ input, output: interactive ? output : undefined, terminal: interactive });
  rl.setPrompt('\x1b[1myou>\x1b[0m ');
  const write = (s: string) => output.write(s);

  // Lines are handled one at a time, in order, even when they arrive faster than replies.
  let queue = Promise.resolve();
  rl.on('line', (line) => {
    const text = line.trim();
    if (!text) {
      if (interactive) rl.prompt();
      return;
    }
    queue = queue.then(async () => {
      write(interactive ? '\x1b[36mmain>\x1b[0m ' : 'main> ');
      let streamed = false;
      try {
        const reply = await opts.chat(text, (chunk) => {
          streamed = true;
          write(chunk);
        });
        if (!streamed) write(reply);
      } catch (e) {
        write(`error: ${(e as Error).message}`);
      }
      write('\n');
      if (interactive) rl.prompt();
    });
  });
  const done = new Promise<void>((resolve) => rl.on('close', () => void queue.then(resolve)));
  if (interactive) rl.prompt();
  return { done, close: () => rl.close() };
}
