/** The chat box: Enter sends, Shift+Enter breaks the line, `@` offers agent names. */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useFocusRequest } from '../../hooks/useFocusRequest.js';
import { hotkeyLabel } from '../../lib/hotkeys.js';
import { applyMention, mentionAt, mentionCandidates, type MentionQuery } from '../../lib/mention.js';
import { useThrottledStore } from '../../hooks/useThrottledStore.js';
import { useAgentsStore } from '../../stores/agents-store.js';
import { useUiStore } from '../../stores/ui-store.js';

export function ChatInput({ onSend, disabled }: { onSend: (text: string) => void; disabled?: boolean }) {
  const [text, setText] = useState('');
  const [mention, setMention] = useState<MentionQuery | null>(null);
  const [sel, setSel] = useState(0);
  const ref = useRef<HTMLTextAreaElement>(null);
  useFocusRequest('chat-input', ref);
  // "Chat" from the graph: start the message with the agent's @name, once.
  const draft = useUiStore((s) => s.chatDraft);
  useEffect(() => {
    if (!draft) return;
    useUiStore.setState({ chatDraft: null });
    setText(draft.text);
    requestAnimationFrame(() => {
      ref.current?.focus();
      ref.current?.setSelectionRange(draft.text.length, draft.text.length);
    });
  }, [draft]);
  // Agents beat every frame under load; names for @mentions need a fresh read at most every 1000 ms.
  const byId = useThrottledStore(useAgentsStore, (s) => s.byId, 1_000);
  const names = useMemo(() => Array.from(new Set(Object.values(byId).map((a) => a.name))), [byId]);
  const candidates = useMemo(() => (mention ? mentionCandidates(names, mention.query) : []), [mention, names]);
  const open = mention !== null && candidates.length > 0;

  const refreshMention = (value: string, caret: number) => {
    const m = mentionAt(value, caret);
    setMention(m);
    setSel(0);
  };

  const pick = (name: string) => {
    const el = ref.current;
    if (!el || !mention) return;
    const r = applyMention(text, mention, el.selectionStart, name);
    setText(r.text);
    setMention(null);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(r.caret, r.caret);
    });
  };

  const send = () => {
    const t = text.trim();
    if (!t || disabled) return;
    onSend(t);
    setText('');
    setMention(null);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (open) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setSel((s) => (s + 1) % candidates.length);
        return;
      }
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setSel((s) => (s - 1 + candidates.length) % candidates.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        pick(candidates[sel]!);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setMention(null);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  return (
    <div className="chat-input">
      {open ? (
        <div className="mentions" role="listbox" aria-label="Agents" data-testid="mention-list">
          {candidates.map((n, i) => (
            <button
              key={n}
              type="button"
              role="option"
              aria-selected={i === sel}
              className={i === sel ? 'sel' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(n);
              }}
              data-testid="mention-option"
            >
              @{n}
            </button>
          ))}
        </div>
      ) : null}
      <textarea
        ref={ref}
        id="chat-input"
        className="textarea"
        rows={Math.min(8, Math.max(1, text.split('\n').length))}
        placeholder={`Message main — @ to address an agent, Enter to send (${hotkeyLabel('mod+j')} focuses here)`}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          refreshMention(e.target.value, e.target.selectionStart);
        }}
        onKeyDown={onKeyDown}
        onClick={(e) => refreshMention(text, e.currentTarget.selectionStart)}
        onBlur={() => setTimeout(() => setMention(null), 120)}
        aria-label="Chat message"
        aria-autocomplete="list"
        data-testid="chat-input"
      />
      <button type="button" className="btn primary" onClick={send} disabled={!text.trim() || disabled} data-testid="chat-send">
        Send
      </button>
    </div>
  );
}
