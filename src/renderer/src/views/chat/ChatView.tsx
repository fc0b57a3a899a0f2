import { memo, useEffect, useLayoutEffect, useRef } from 'react';
import { Markdown } from '../../components/Markdown.js';
import { hub } from '../../connection/index.js';
import { clockTime } from '../../lib/relative-time.js';
import { useChatStore, type ChatMessage } from '../../stores/chat-store.js';
import { useConnectionStore } from '../../stores/connection-store.js';
import { ChatInput } from './ChatInput.js';

const Message = memo(function Message({ m }: { m: ChatMessage }) {
  const who = m.role === 'user' ? (m.own ? 'you' : m.from) : m.from;
  const waiting = m.streaming && m.content === '';
  return (
    <div className={`msg ${m.role} ${m.own ? 'own' : ''}`} data-testid="chat-message" data-role={m.role} data-streaming={m.streaming ? 'true' : 'false'}>
      <div className="who">
        {who} · {clockTime(m.timestamp)}
      </div>
      <div className={`bubble ${m.streaming && !waiting ? 'cursor' : ''}`}>
        {waiting ? (
          <span className="typing" aria-label="waiting for the reply">
            <i />
            <i />
            <i />
          </span>
        ) : m.role === 'user' ? (
          <span style={{ whiteSpace: 'pre-wrap' }}>{m.content}</span>
        ) : (
          <Markdown source={m.content} />
        )}
      </div>
    </div>
  );
});

export function ChatView() {
  const messages = useChatStore((s) => s.messages);
  const clear = useChatStore((s) => s.clear);
  const mqtt = useConnectionStore((s) => s.mqtt);
  const rest = useConnectionStore((s) => s.rest);
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  // Stay at the bottom while replies stream in, unless the user scrolled up to read.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [messages]);
  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, []);

  const offline = mqtt !== 'online' && rest === 'error';
  return (
    <div className="chat" data-testid="chat">
      <div className="row small muted" style={{ paddingBottom: 6 }}>
        <span>Conversation with main. Replies stream as they are written; history is kept in this browser.</span>
        <span className="grow" />
        {messages.length > 0 ? (
          <button type="button" className="link-button" onClick={clear} data-testid="chat-clear">
            Clear history
          </button>
        ) : null}
      </div>
      <div
        className="chat-scroll"
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 40;
        }}
        data-testid="chat-messages"
        aria-live="polite"
      >
        {messages.length === 0 ? (
          <div className="empty">
            Ask main anything, or ask it to create an agent: <i>“create an agent that says hello every minute”</i>.
            <br />
            Type <b>@</b> to talk to one agent directly.
          </div>
        ) : (
          messages.map((m) => <Message key={m.id} m={m} />)
        )}
      </div>
      <ChatInput onSend={(t) => void hub.sendChat(t)} disabled={offline} />
    </div>
  );
}
