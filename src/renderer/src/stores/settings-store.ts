/** Hub settings as loaded from GET /api/settings, and the save in flight. */
import { create } from 'zustand';
import type { SettingsModel } from '../lib/settings-model.js';
import type { ModelList } from '../connection/rest-schemas.js';

export type SaveState = { phase: 'idle' } | { phase: 'saving' } | { phase: 'saved'; message: string } | { phase: 'error'; message: string };

interface SettingsState {
  settings: SettingsModel | null;
  loading: boolean;
  loadError: string | null;
  save: SaveState;
  models: ModelList | null;
  modelsError: string | null;
  modelsLoading: boolean;
  setSettings(s: SettingsModel | null, error?: string | null): void;
  setLoading(v: boolean): void;
  setSave(s: SaveState): void;
  setModels(m: ModelList | null, error?: string | null): void;
  setModelsLoading(v: boolean): void;
}

export const useSettingsStore = create<SettingsState>((set) => ({
  settings: null,
  loading: false,
  loadError: null,
  save: { phase: 'idle' },
  models: null,
  modelsError: null,
  modelsLoading: false,
  setSettings(settings, loadError = null) {
    set({ settings, loadError, loading: false });
  },
  setLoading(loading) {
    set({ loading });
  },
  setSave(save) {
    set({ save });
  },
  setModels(models, modelsError = null) {
    set({ models, modelsError, modelsLoading: false });
  },
  setModelsLoading(modelsLoading) {
    set({ modelsLoading });
  },
}));
