/** Active pipelines from GET /pipelines (re-read by the Pipelines view; agents' live state comes from the agents store). */
import { create } from 'zustand';
import type { PipelineSummary } from '../../../shared/rest.js';

interface PipelinesState {
  pipelines: PipelineSummary[];
  loaded: boolean;
  loading: boolean;
  error: string | null;
  setPipelines(p: PipelineSummary[]): void;
  setLoading(v: boolean): void;
  setError(e: string | null): void;
}

export const usePipelinesStore = create<PipelinesState>((set) => ({
  pipelines: [],
  loaded: false,
  loading: false,
  error: null,
  setPipelines(pipelines) {
    set({ pipelines: [...pipelines].sort((a, b) => b.created_at - a.created_at || a.id.localeCompare(b.id)), loaded: true, error: null });
  },
  setLoading(loading) {
    set({ loading });
  },
  setError(error) {
    set({ error });
  },
}));
