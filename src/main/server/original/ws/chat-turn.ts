/**
 * One chat turn on `/ws`, answered on the connection that asked, in the frames the original
 * monitor sent (`_route_chat` with `ws_reply`, `ws_stream_chunk`, `ws_stream_end`): the reply as
 * `stream_chunk`s while main streams it, or as one `chat` frame when it comes in one piece (a
 * `/command`, an `@agent` answer), and always a closing `stream_end` — the original dashboard
 * clears its typing indicator on it. `from` is always `io-gateway`; `agent` names who answered.
 *
 * The content goes to main as typed: main routes `/commands`, `@name …` and the original's chat
 * targets (`@main`, `@main-actor`, `@io-agent` reach main itself). A failure is a `chat` frame
 * `[error] …`, as the original's.
 */
import { IO_GATEWAY, type OriginalServerFrame } from '../../../../shared/original-ws.js';

export interface ChatTurnDeps {
  /** Main's answer to `text` (and who gave it); chunks as they stream. */
  chat(text: string, onChunk: (chunk: string) => void): Promise<{ agent: string; reply: string }>;
  send(frame: OriginalServerFrame): void;
  /** Epoch seconds (test seam). */
  now?: () => number;
}

/** Only main streams; an answer in one piece names its agent when it arrives. */
const STREAMING_AGENT = 'main';

export async function runChatTurn(content: string, d: ChatTurnDeps): Promise<void> {
  const now = d.now ?? (() => Date.now() / 1000);
  let agent = STREAMING_AGENT;
  let streamed = '';
  try {
    const r = await d.chat(content, (chunk) => {
      if (!chunk) return;
      streamed += chunk;
      d.send({ type: 'stream_chunk', from: IO_GATEWAY, agent, content: chunk, timestamp: now() });
    });
    if (!streamed) {
      agent = r.agent;
      d.send({ type: 'chat', from: IO_GATEWAY, agent, content: r.reply, timestamp: now() });
    } else if (r.reply.length > streamed.length && r.reply.startsWith(streamed)) {
      // Something main added after the stream (a spawn report): the rest of the same bubble.
      d.send({ type: 'stream_chunk', from: IO_GATEWAY, agent, content: r.reply.slice(streamed.length), timestamp: now() });
    }
  } catch (e) {
    d.send({ type: 'chat', from: IO_GATEWAY, agent, content: `[error] ${e instanceof Error ? e.message : String(e)}`, timestamp: now() });
  }
  d.send({ type: 'stream_end', from: IO_GATEWAY, agent, timestamp: now() });
}
