/** Requests that cross views: focus the search or the chat input, deploy from a global shortcut. */
import { create } from 'zustand';

export type FocusTarget = 'agent-search' | 'chat-input';

interface UiState {
  focus: { target: FocusTarget; n: number } | null;
  deployRequests: number;
  requestFocus(target: FocusTarget): void;
  requestDeploy(): void;
}

export const useUiStore = create<UiState>((set) => ({
  focus: null,
  deployRequests: 0,
  requestFocus(target) {
    set((st) => ({ focus: { target, n: (st.focus?.n ?? 0) + 1 } }));
  },
  requestDeploy() {
    set((st) => ({ deployRequests: st.deployRequests + 1 }));
  },
}));
