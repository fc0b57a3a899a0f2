/**
 * Token streaming end to end: the first chunk of the LLM's answer reaches the CLI and a REST SSE
 * client while the LLM is still generating (the scripted Ollama sends one chunk and then holds the
 * stream open), i.e. nothing waits for the whole reply. A planner runs in every hub, so main first
 * classifies each chat with one short call.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWactorz } from '../../wactorz.js';
import type { WactorzHandle } from '../../wactorz-handle.js';
import { silentLogger } from '../../base/logger.js';
import { startCliChat } from '../../interfaces/cli-chat.js';
import { reply, startScriptedLlmServer, type ScriptedLlmServer } from '../../llm/testing/index.js';
import { waitUntil } from '../../testing/wait.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function setup(): Promise<{ llm: ScriptedLlmServer; hub: WactorzHandle }> {
  const llm = await startScriptedLlmServer();
  const dir = mkdtempSync(join(tmpdir(), 'wz-stream-'));
  dirs.push(dir);
  const hub = await startWactorz(
    { stateDir: dir, llm: { provider: 'ollama', model: 'llama3', baseUrl: llm.urls.ollama, maxRetries: 0 }, interface: 'rest', restPort: 0, monitorPort: null, mqtt: { port: 0 } },
    { log: silentLogger, env: {} },
  );
  return { llm, hub };
}

describe('streaming to the interfaces', () => {
  it('the CLI prints the first tokens while the LLM is still generating', async () => {
    const { llm, hub } = await setup();
    try {
      llm.script('ollama', ['OTHER', reply.hang({ text: 'Hello from' })]); // the intent call, then the held stream
      const input = new PassThrough();
      const output = new PassThrough();
      let out = '';
      output.on('data', (d: Buffer) => (out += d.toString()));
      const cli = startCliChat({ input, output, interactive: false, chat: (text, onChunk) => hub.processUserInput(text, { interface: 'cli', onChunk }) });
      input.end('hi\n');
      await waitUntil(() => out === 'main> Hello from', 'the streamed tokens on the CLI', 15_000);
      // The LLM has not finished (no line end yet). Cut its stream: the error follows what was shown.
      await llm.close();
      await cli.done;
      expect(out).toMatch(/^main> Hello from\nError: .+\n$/);
    } finally {
      await hub.stop();
    }
  });

  it('POST /chat?stream=1 sends each chunk as a server-sent event before the reply is complete', async () => {
    const { llm, hub } = await setup();
    try {
      llm.script('ollama', ['OTHER', reply.hang({ text: 'Hello from' })]); // the intent call, then the held stream
      const res = await fetch(`${hub.restUrl}/chat?stream=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'hi' }) });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('"chunk":"from"')) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended early: ${text}`);
        text += Buffer.from(value).toString();
      }
      expect(text).toBe('data: {"chunk":"Hello "}\n\ndata: {"chunk":"from"}\n\n');
      await llm.close();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString();
      }
      // Cutting the LLM's stream: the error follows the chunks, then the final event carries it too.
      const events = text
        .trim()
        .split('\n\n')
        .map((e) => ({ event: /^event: (.*)$/m.exec(e)?.[1] ?? 'message', data: JSON.parse(/^data: (.*)$/m.exec(e)![1]!) as Record<string, string> }));
      expect(events.map((e) => e.event)).toEqual(['message', 'message', 'message', 'done']);
      expect(events[2]!.data.chunk).toMatch(/^\nError: /);
      expect(events[3]!.data).toMatchObject({ status: 'sent', agent: 'main', response: expect.stringMatching(/^Error: /) });
    } finally {
      await hub.stop();
    }
  });
});
