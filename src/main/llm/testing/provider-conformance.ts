/**
 * The behaviour every provider must show against the scripted server, through its real SDK:
 * blocking and streaming answers, usage, errors (401, 429 then success, 500, connection refused,
 * malformed and truncated streams), timeout and cancel. Each provider's test file runs it.
 */
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { isLlmError, type LlmError } from '../errors.js';
import type { LlmProvider, LlmStreamEvent } from '../provider.js';
import { startScriptedLlmServer, type ScriptedLlmServer } from './scripted-llm-server.js';
import { reply, type WireProtocol } from './scripted-reply.js';
import { waitUntil } from '../../testing/wait.js';

export interface ConformanceTarget {
  /** Provider name as LlmError.provider reports it. */
  name: string;
  protocol: WireProtocol;
  /** Builds the provider aimed at `baseUrl` (the scripted server unless a test says otherwise). */
  make(server: ScriptedLlmServer, opts: { maxRetries?: number; timeoutMs?: number; baseUrl?: string }): LlmProvider;
  /** Words the 401 message must contain (e.g. the env var to check). */
  authHint: string;
  /** Words the connection-refused message must contain. */
  refusedHint: string | RegExp;
}

const USER = [{ role: 'user' as const, content: 'Say hello' }];

/** Headers that make the SDKs retry almost at once (Anthropic/OpenAI honour retry-after-ms). */
const FAST_RETRY = { 'retry-after-ms': '5' };

export async function expectLlmError(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (err) {
    if (isLlmError(err)) return err;
    throw new Error(`expected an LlmError, got: ${String(err)}`, { cause: err });
  }
  throw new Error('expected an LlmError, but the call succeeded');
}

export async function drain(events: AsyncIterable<LlmStreamEvent>): Promise<LlmStreamEvent[]> {
  const out: LlmStreamEvent[] = [];
  for await (const ev of events) out.push(ev);
  return out;
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export function runProviderConformance(t: ConformanceTarget): void {
  describe(`${t.name} provider conformance (real SDK against the scripted server)`, () => {
    let server: ScriptedLlmServer;
    let provider: LlmProvider;

    beforeAll(async () => {
      server = await startScriptedLlmServer({ ollamaModels: null });
    });
    afterAll(async () => {
      await server.close();
    });
    beforeEach(() => {
      server.reset();
      provider = t.make(server, {});
    });

    it('answers a blocking call with text, usage and model', async () => {
      server.script(t.protocol, reply.text('Hello from the script', { usage: { inputTokens: 1200, outputTokens: 300 }, model: 'answer-model' }));
      const res = await provider.complete(USER, 'Be brief.');
      expect(res.text).toBe('Hello from the script');
      expect(res.usage).toEqual({ inputTokens: 1200, outputTokens: 300 });
      expect(res.model).toBe('answer-model');
      expect(res.stopReason).toBe('end');
      expect(server.requestsFor(t.protocol)).toHaveLength(1);
      expect(server.lastRequest()?.stream).toBe(false);
      expect(server.lastRequest()?.model).toBe(provider.model);
    });

    it('streams text chunks in order, then one done event with usage', async () => {
      server.script(t.protocol, reply.text('one two three', { chunks: ['one ', 'two ', 'three'], usage: { inputTokens: 42, outputTokens: 7 } }));
      const events = await drain(provider.stream(USER, 'Be brief.'));
      expect(events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text)).toEqual(['one ', 'two ', 'three']);
      const done = events.at(-1);
      expect(done?.type).toBe('done');
      if (done?.type !== 'done') return;
      expect(done.text).toBe('one two three');
      expect(done.usage).toEqual({ inputTokens: 42, outputTokens: 7 });
      expect(done.stopReason).toBe('end');
      expect(done.firstTokenMs).not.toBeNull();
      expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
      expect(server.lastRequest()?.stream).toBe(true);
    });

    it('reports a max-tokens stop', async () => {
      const stop = t.protocol === 'anthropic' ? 'max_tokens' : 'length';
      server.script(t.protocol, [reply.text('cut', { stopReason: stop }), reply.text('cut', { stopReason: stop })]);
      expect((await provider.complete(USER)).stopReason).toBe('max_tokens');
      const done = (await drain(provider.stream(USER))).at(-1);
      expect(done?.type === 'done' && done.stopReason).toBe('max_tokens');
    });

    it('401 → auth error that names what to check, not retried', async () => {
      server.script(t.protocol, reply.error(401));
      const err = await expectLlmError(provider.complete(USER));
      expect(err.kind).toBe('auth');
      expect(err.status).toBe(401);
      expect(err.message).toContain('the API key was rejected by');
      expect(err.message).toContain(t.authHint);
      expect(server.requestsFor(t.protocol)).toHaveLength(1);
    });

    it('429 then success: retried, the caller only sees the answer (blocking and streaming)', async () => {
      server.script(t.protocol, [reply.error(429, { headers: FAST_RETRY }), 'after the limit']);
      expect((await provider.complete(USER)).text).toBe('after the limit');
      expect(server.requestsFor(t.protocol)).toHaveLength(2);

      server.script(t.protocol, [reply.error(429, { headers: FAST_RETRY }), 'streamed after the limit']);
      const done = (await drain(provider.stream(USER))).at(-1);
      expect(done?.type === 'done' && done.text).toBe('streamed after the limit');
      expect(server.requestsFor(t.protocol)).toHaveLength(4);
    });

    it('500 on every attempt → server error after maxRetries + 1 requests', async () => {
      const p = t.make(server, { maxRetries: 2 });
      server.script(t.protocol, [500, 500, 500].map((s) => reply.error(s, { headers: FAST_RETRY })));
      const err = await expectLlmError(p.complete(USER));
      expect(err.kind).toBe('server');
      expect(err.status).toBe(500);
      expect(err.message).toContain('after 3 attempts');
      expect(err.transient).toBe(true);
      expect(server.requestsFor(t.protocol)).toHaveLength(3);
    });

    it('a dropped connection is retried', async () => {
      server.script(t.protocol, [reply.drop(), 'survived a reset']);
      expect((await provider.complete(USER)).text).toBe('survived a reset');
      expect(server.requestsFor(t.protocol)).toHaveLength(2);
    });

    it('connection refused → connection error that says what to do', async () => {
      const port = await closedPort();
      const p = t.make(server, { maxRetries: 0, baseUrl: `http://127.0.0.1:${port}` });
      const err = await expectLlmError(p.complete(USER));
      expect(err.kind).toBe('connection');
      if (typeof t.refusedHint === 'string') expect(err.message).toContain(t.refusedHint);
      else expect(err.message).toMatch(t.refusedHint);
      const streamErr = await expectLlmError(drain(p.stream(USER)));
      expect(streamErr.kind).toBe('connection');
    });

    it('404 on the model → model_not_found', async () => {
      server.script(t.protocol, reply.error(404, { message: `model '${provider.model}' not found` }));
      const err = await expectLlmError(provider.complete(USER));
      expect(err.kind).toBe('model_not_found');
      expect(err.message).toContain(provider.model);
    });

    it('malformed stream → bad_response (after the good chunks)', async () => {
      server.script(t.protocol, reply.malformed({ text: 'good start ' }));
      const seen: string[] = [];
      const err = await expectLlmError(
        (async () => {
          for await (const ev of provider.stream(USER)) if (ev.type === 'text') seen.push(ev.text);
        })(),
      );
      expect(err.kind).toBe('bad_response');
      expect(seen.join('')).toBe('good start ');
    });

    it('malformed blocking body → bad_response', async () => {
      server.script(t.protocol, reply.malformed());
      expect((await expectLlmError(provider.complete(USER))).kind).toBe('bad_response');
    });

    it('a stream cut off before its end marker → bad_response, not a silent short answer', async () => {
      server.script(t.protocol, reply.truncated('half an ans'));
      const err = await expectLlmError(drain(provider.stream(USER)));
      expect(err.kind).toBe('bad_response');
    });

    it('an error sent inside the stream → server error', async () => {
      server.script(t.protocol, reply.streamError({ text: 'partial ', message: 'Overloaded right now' }));
      const err = await expectLlmError(drain(provider.stream(USER)));
      expect(err.kind).toBe('server');
      expect(err.message).toContain('Overloaded right now');
    });

    // Our call timers run on virtual time (the SDKs' HTTP is real): a timeout is reached by moving
    // the clock, and a consumer "sits" on a chunk by moving it too — no test waits for seconds.
    const virtualCallTimers = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('timeout on a blocking call to a silent server', async () => {
      server.script(t.protocol, reply.hang());
      virtualCallTimers();
      const call = expectLlmError(provider.complete(USER, undefined, { timeoutMs: 300 }));
      await server.waitForRequests(1, t.protocol);
      await vi.advanceTimersByTimeAsync(300);
      const err = await call;
      expect(err.kind).toBe('timeout');
      expect(err.message).toContain('300 ms');
      await server.lastRequest(t.protocol)!.closed; // the request was really abandoned
    });

    it('timeout when a stream goes silent after some text', async () => {
      server.script(t.protocol, reply.hang({ text: 'thinking ' }));
      virtualCallTimers();
      const seen: string[] = [];
      const consumed = expectLlmError(
        (async () => {
          for await (const ev of provider.stream(USER, undefined, { timeoutMs: 1_500 })) if (ev.type === 'text') seen.push(ev.text);
        })(),
      );
      await waitUntil(() => seen.length === 1, 'the text before the silence');
      await vi.advanceTimersByTimeAsync(1_500);
      const err = await consumed;
      expect(err.kind).toBe('timeout');
      expect(seen).toEqual(['thinking ']);
      await server.lastRequest(t.protocol)!.closed;
    });

    it('a slow consumer does not count against the stream timeout', async () => {
      // The consumer sits on every chunk for longer than the timeout (virtual time moves on while
      // it holds the chunk), which must not count as the provider being silent.
      server.script(t.protocol, reply.text('a b', { chunks: ['a ', 'b'] }));
      virtualCallTimers();
      const seen: string[] = [];
      for await (const ev of provider.stream(USER, undefined, { timeoutMs: 1_000 })) {
        if (ev.type === 'text') {
          seen.push(ev.text);
          await vi.advanceTimersByTimeAsync(1_300);
        }
      }
      expect(seen.join('')).toBe('a b');
    });

    it('cancel with an already-aborted signal', async () => {
      server.script(t.protocol, 'never used');
      const ac = new AbortController();
      ac.abort();
      expect((await expectLlmError(provider.complete(USER, undefined, { signal: ac.signal }))).kind).toBe('cancelled');
      expect((await expectLlmError(drain(provider.stream(USER, undefined, { signal: ac.signal })))).kind).toBe('cancelled');
    });

    it('cancel during a blocking call', async () => {
      server.script(t.protocol, reply.hang());
      const ac = new AbortController();
      const call = provider.complete(USER, undefined, { signal: ac.signal, timeoutMs: 60_000 });
      await server.waitForRequests(1, t.protocol);
      ac.abort();
      expect((await expectLlmError(call)).kind).toBe('cancelled');
      await server.lastRequest(t.protocol)!.closed;
    });

    it('cancel mid-stream stops a waiting consumer at once and closes the connection', async () => {
      // The server goes silent after one chunk: only the abort can end the consumer's wait
      // (the 60 s timeout is far beyond the test's own limit).
      server.script(t.protocol, reply.hang({ text: 'first ' }));
      const ac = new AbortController();
      const seen: string[] = [];
      const err = await expectLlmError(
        (async () => {
          for await (const ev of provider.stream(USER, undefined, { signal: ac.signal, timeoutMs: 60_000 })) {
            if (ev.type === 'text') {
              seen.push(ev.text);
              setImmediate(() => ac.abort()); // abort while the consumer waits for the next chunk
            }
          }
        })(),
      );
      expect(err.kind).toBe('cancelled');
      expect(seen).toEqual(['first ']);
      await server.lastRequest(t.protocol)!.closed;
    });

    it('a consumer that stops reading closes the HTTP stream', async () => {
      server.script(t.protocol, reply.hang({ text: 'one two three four' }));
      for await (const ev of provider.stream(USER, undefined, { timeoutMs: 60_000 })) {
        if (ev.type === 'text') break;
      }
      await server.lastRequest(t.protocol)!.closed;
      expect(server.lastRequest(t.protocol)!.timing.endedAt).toBeUndefined();
    });
  });
}
