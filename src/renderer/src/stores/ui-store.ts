/** Requests that cross views: focus the search or the chat input, deploy from a global shortcut. */
import { create } from 'zustand';

export type FocusTarget = 'agent-search' | 'chat-input';

interface UiState {
  focus: { target: FocusTarget; n: number } | null;
  deployRequests: number;
  /** Text to put in the chat input (e.g. "@agent " from the graph), taken once by ChatInput. */
  chatDraft: { text: string; n: number } | null;
  requestFocus(target: FocusTarget): void;
  requestDeploy(): void;
  requestChatDraft(text: string): void;
}

export const useUiStore = create<UiState>((set) => ({
  focus: null,
  deployRequests: 0,
  chatDraft: null,
  requestFocus(target) {
    set((st) => ({ focus: { target, n: (st.focus?.n ?? 0) + 1 } }));
  },
  requestDeploy() {
    set((st) => ({ deployRequests: st.deployRequests + 1 }));
  },
  requestChatDraft(text) {
    set((st) => ({ chatDraft: { text, n: (st.chatDraft?.n ?? 0) + 1 } }));
  },
}));
