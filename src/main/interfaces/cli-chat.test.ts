import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { startCliChat } from './cli-chat.js';

function collect(stream: PassThrough): () => string {
  let out = '';
  stream.on('data', (d: Buffer) => (out += d.toString()));
  return () => out;
}

describe('CLI chat', () => {
  it('answers each line in order, streaming chunks as they come (no TTY)', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const text = collect(output);
    const seen: string[] = [];
    const cli = startCliChat({
      input,
      output,
      interactive: false,
      chat: async (t, onChunk) => {
        seen.push(t);
        // 'slow' takes more event-loop turns than 'fast': a CLI answering concurrently would finish 'fast' first.
        for (let i = t === 'slow' ? 5 : 1; i > 0; i--) await new Promise((r) => setImmediate(r));
        for (const w of ['re: ', t]) onChunk(w);
        return `re: ${t}`;
      },
    });
    input.write('slow\nfast\n\n');
    input.end();
    await cli.done;
    expect(seen).toEqual(['slow', 'fast']);
    expect(text()).toBe('main> re: slow\nmain> re: fast\n');
  });

  it('prints the whole reply when nothing streamed, and errors without dying', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const text = collect(output);
    const cli = startCliChat({
      input,
      output,
      interactive: false,
      chat: async (t) => {
        if (t === 'boom') throw new Error('no LLM configured');
        return 'whole';
      },
    });
    input.end('boom\nok\n');
    await cli.done;
    expect(text()).toBe('main> error: no LLM configured\nmain> whole\n');
  });
});
