/** Catalog recipes (REST) and install progress (MQTT). */
import { create } from 'zustand';
import type { InstallEvent } from '../connection/install-progress.js';
import type { Recipe } from '../connection/rest-schemas.js';
import type { DashboardUpdate } from '../connection/topic-router.js';

export const INSTALL_JOBS_KEPT = 50;

export interface InstallJob {
  key: string;
  recipe?: string;
  agent?: string;
  packages: string[];
  status: InstallEvent['status'];
  progress?: number;
  message: string;
  updated: number;
  /** The last few messages, oldest first. */
  history: string[];
}

export interface RecipeProblem {
  recipe: string;
  error: string;
}

interface CatalogState {
  recipes: Recipe[];
  /** Recipes the hub could not load, and why. */
  problems: RecipeProblem[];
  loading: boolean;
  error: string | null;
  installs: InstallJob[];
  setRecipes(r: Recipe[], problems?: RecipeProblem[]): void;
  setLoading(v: boolean): void;
  setError(e: string | null): void;
  applyUpdate(u: DashboardUpdate): void;
}

export function reduceInstalls(jobs: InstallJob[], events: readonly InstallEvent[]): InstallJob[] {
  if (events.length === 0) return jobs;
  let next = jobs;
  for (const ev of events) {
    const i = next.findIndex((j) => j.key === ev.key);
    const prev = i === -1 ? undefined : next[i];
    const job: InstallJob = {
      key: ev.key,
      packages: ev.packages.length > 0 ? ev.packages : (prev?.packages ?? []),
      status: ev.status,
      message: ev.message,
      updated: ev.timestamp,
      history: ev.message && ev.message !== prev?.history.at(-1) ? [...(prev?.history ?? []), ev.message].slice(-20) : (prev?.history ?? []),
    };
    const recipe = ev.recipe ?? prev?.recipe;
    if (recipe !== undefined) job.recipe = recipe;
    const agent = ev.agent ?? prev?.agent;
    if (agent !== undefined) job.agent = agent;
    const progress = ev.progress ?? (ev.status === 'done' ? 1 : prev?.progress);
    if (progress !== undefined) job.progress = progress;
    next = i === -1 ? [job, ...next].slice(0, INSTALL_JOBS_KEPT) : next.map((j, k) => (k === i ? job : j));
  }
  return next;
}

export const useCatalogStore = create<CatalogState>((set) => ({
  recipes: [],
  problems: [],
  loading: false,
  error: null,
  installs: [],
  setRecipes(recipes, problems = []) {
    set({ recipes, problems, error: null });
  },
  setLoading(loading) {
    set({ loading });
  },
  setError(error) {
    set({ error });
  },
  applyUpdate(u) {
    if (u.installs.length === 0) return;
    set((st) => ({ installs: reduceInstalls(st.installs, u.installs) }));
  },
}));
