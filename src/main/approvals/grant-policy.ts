/**
 * What a spawn gets at once and what waits for a person — the rule of issue 12 item 6, as pure
 * functions (no clock, no store) so every case is tested on its own:
 *
 * - A **person** gets what they asked for; limits are clamped to the hub's maxima.
 * - An **LLM** or an **agent** gets the safe default at once: capabilities that grant nothing
 *   (descriptive labels, `llm`), limits up to the safe ceilings, an LLM budget. Every capability
 *   that grants power (POWER_CAPABILITIES), every declared secret and every limit above its safe
 *   ceiling is a **pending** item; a limit above the hub's maximum is clamped first (the item says
 *   what was asked). Kinds of agent that cannot do their job without their grant (an
 *   `ha_actuator` acts on the house, nothing else) **wait**: one more item, `spawn`, and the agent
 *   is not started until a person approves it.
 *
 * A capability the hub checks anywhere (agent-host, the catalog, the planner, the time-series door,
 * trust-bus's grants) must be listed in POWER_CAPABILITIES, or an LLM gets it without asking.
 */
import type { AgentLimits, ApprovalItem, Asker, GrantAsk, LimitKey } from '../../shared/approvals.js';

/** Capabilities that grant something beyond the safe default, with what they let an agent do. */
export const POWER_CAPABILITIES: Readonly<Record<string, string>> = {
  fetch: 'make HTTP requests to the internet',
  http: 'make HTTP requests to the internet',
  network: 'make HTTP requests to the internet',
  fetch_local: 'reach this machine and private networks (the hub’s own API among them)',
  spawn_recipes: 'spawn agents from catalog recipes',
  plan_pipelines: 'build and delete pipelines (which spawn agents)',
  timeseries: 'write and prune the shared time series',
  home_assistant: 'read Home Assistant state',
};

/** Agent kinds that cannot run at all with only the safe default: they wait for approval. */
export const WAITING_KINDS: Readonly<Record<string, string>> = {
  ha_actuator: 'run this Home Assistant actuator (it calls services in your home)',
};

export interface LimitCaps {
  memory_mb: number;
  call_timeout_ms: number;
  llm_budget_usd: number;
}

/** The hub's caps and ceilings (documented in docs/security.md; env overrides in approvals-config.ts). */
export interface ApprovalLimits {
  /** Agents in the spawn registry, all askers together (a person too). */
  maxAgents: number;
  /** Spawns a minute by one parent (an LLM's actor or an agent); a person is not counted. */
  spawnsPerMinute: number;
  /** The most anyone gets, a person included; `dedicated` isolation allowed at all. */
  max: LimitCaps & { dedicated: boolean };
  /** What an LLM's or agent's spawn gets without a person. */
  safe: LimitCaps;
}

export const DEFAULT_APPROVAL_LIMITS: ApprovalLimits = {
  maxAgents: 1_000,
  spawnsPerMinute: 20,
  max: { memory_mb: 1_024, call_timeout_ms: 300_000, llm_budget_usd: 20, dedicated: true },
  safe: { memory_mb: 128, call_timeout_ms: 30_000, llm_budget_usd: 1 },
};

export interface GrantDecision {
  /** What the agent runs with now (limits clamped). */
  now: GrantAsk;
  /** What waits for a person (empty: nothing). */
  pending: ApprovalItem[];
  /** The agent waits (not started) until its `spawn` item is approved. */
  waiting: boolean;
  /** Sentences about clamping, for logs and replies. */
  notes: string[];
}

const LIMIT_LABELS: Record<LimitKey, string> = {
  memory_mb: 'memory (MB)',
  call_timeout_ms: 'longest call (ms)',
  isolation: 'a sandbox worker of its own',
  llm_budget_usd: 'LLM budget (USD)',
};

export function isPowerCapability(name: string): boolean {
  return Object.hasOwn(POWER_CAPABILITIES, name.toLowerCase());
}

/** The label a person reads for an item key (`fetch_local`, `env:KEY`, `memory_mb`, `spawn`). */
export function itemLabel(key: string, kind?: string): string {
  if (key === 'spawn') return WAITING_KINDS[kind ?? ''] ?? 'run this agent at all';
  if (key.startsWith('env:')) return `read the hub’s secret ${key.slice(4)}`;
  if (key.startsWith('send_to:')) return `ask the hub’s ${key.slice(8)} actor with sendTo`;
  if ((LIMIT_LABELS as Record<string, string>)[key]) return LIMIT_LABELS[key as LimitKey];
  return POWER_CAPABILITIES[key.toLowerCase()] ?? key;
}

/** Capabilities, lower-case and once each, order kept. */
export function normalizeCapabilities(list: readonly string[]): string[] {
  return [...new Set(list.map((c) => c.trim().toLowerCase()).filter(Boolean))];
}

/** Limits clamped to the hub's maxima, with a note per clamp. */
export function clampToMax(asked: AgentLimits, limits: ApprovalLimits): { limits: AgentLimits; notes: string[]; asked: AgentLimits } {
  const out: AgentLimits = {};
  const notes: string[] = [];
  for (const key of ['memory_mb', 'call_timeout_ms', 'llm_budget_usd'] as const) {
    const v = asked[key];
    if (v === undefined) continue;
    const max = limits.max[key];
    out[key] = Math.min(v, max);
    if (v > max) notes.push(`${key} ${v} is above the hub's maximum: ${max}`);
  }
  if (asked.isolation === 'dedicated' && !limits.max.dedicated) notes.push('a dedicated sandbox worker is not allowed on this hub: shared');
  if (asked.isolation) out.isolation = asked.isolation === 'dedicated' && limits.max.dedicated ? 'dedicated' : 'shared';
  return { limits: out, notes, asked };
}

/**
 * What a spawn gets now and what waits (see the file comment). `kind` is the agent's kind
 * (dynamic, catalog, ha_actuator…): some kinds wait whole.
 */
export function decideGrant(ask: GrantAsk, asker: Asker, kind: string, limits: ApprovalLimits): GrantDecision {
  const capabilities = normalizeCapabilities(ask.capabilities);
  const envNames = [...new Set(ask.env_names)];
  const sendTo = [...new Set(ask.send_to ?? [])];
  const clamped = clampToMax(ask.limits, limits);
  if (asker.kind === 'person') {
    return { now: { capabilities, env_names: envNames, limits: clamped.limits, ...(sendTo.length ? { send_to: sendTo } : {}) }, pending: [], waiting: false, notes: clamped.notes };
  }
  const pending: ApprovalItem[] = [];
  const item = (key: string, itemKind: ApprovalItem['kind'], extra: Partial<ApprovalItem> = {}): ApprovalItem => ({ key, kind: itemKind, label: itemLabel(key, kind), state: 'pending', ...extra });
  const waiting = Object.hasOwn(WAITING_KINDS, kind);
  if (waiting) pending.push(item('spawn', 'spawn'));
  const nowCaps = capabilities.filter((c) => !isPowerCapability(c));
  for (const c of capabilities) if (isPowerCapability(c)) pending.push(item(c, 'capability'));
  for (const n of envNames) pending.push(item(`env:${n}`, 'env'));
  for (const n of sendTo) pending.push(item(`send_to:${n}`, 'send_to'));

  const nowLimits: AgentLimits = {};
  for (const key of ['memory_mb', 'call_timeout_ms', 'llm_budget_usd'] as const) {
    const v = clamped.limits[key];
    const safe = limits.safe[key];
    if (v === undefined) continue;
    if (v <= safe) nowLimits[key] = v;
    else {
      nowLimits[key] = safe;
      const asked = ask.limits[key];
      pending.push(item(key, 'limit', { value: v, meanwhile: safe, ...(asked !== undefined && asked !== v ? { asked } : {}) }));
    }
  }
  // An LLM-made agent always has a budget: the safe one unless a person raises it.
  nowLimits.llm_budget_usd ??= limits.safe.llm_budget_usd;
  if (clamped.limits.isolation === 'dedicated') pending.push(item('isolation', 'limit', { value: 'dedicated', meanwhile: 'shared' }));
  return { now: { capabilities: nowCaps, env_names: [], limits: nowLimits }, pending, waiting, notes: clamped.notes };
}

/** A grant with some approved items added (limits take the item's value). */
export function withItems(grant: GrantAsk, items: readonly ApprovalItem[]): GrantAsk {
  const capabilities = [...grant.capabilities];
  const envNames = [...grant.env_names];
  const sendTo = [...(grant.send_to ?? [])];
  const limits: AgentLimits = { ...grant.limits };
  for (const i of items) {
    if (i.kind === 'capability' && !capabilities.includes(i.key)) capabilities.push(i.key);
    else if (i.kind === 'env' && !envNames.includes(i.key.slice(4))) envNames.push(i.key.slice(4));
    else if (i.kind === 'send_to' && !sendTo.includes(i.key.slice(8))) sendTo.push(i.key.slice(8));
    else if (i.kind === 'limit') setLimit(limits, i.key as LimitKey, i.value);
  }
  return { capabilities, env_names: envNames, limits, ...(sendTo.length ? { send_to: sendTo } : {}) };
}

/** A grant with some items taken back (limits fall back to the safe ceiling, isolation to shared). */
export function withoutItems(grant: GrantAsk, keys: readonly string[], limits: ApprovalLimits): GrantAsk {
  const drop = new Set(keys.map((k) => k.toLowerCase()));
  const out: AgentLimits = { ...grant.limits };
  for (const key of ['memory_mb', 'call_timeout_ms', 'llm_budget_usd'] as const) if (drop.has(key) && out[key] !== undefined) out[key] = Math.min(out[key]!, limits.safe[key]);
  if (drop.has('isolation')) out.isolation = 'shared';
  return {
    capabilities: grant.capabilities.filter((c) => !drop.has(c.toLowerCase())),
    env_names: grant.env_names.filter((n) => !drop.has(`env:${n}`.toLowerCase())),
    limits: out,
    ...(grant.send_to?.length ? { send_to: grant.send_to.filter((n) => !drop.has(`send_to:${n}`.toLowerCase())) } : {}),
  };
}

/** What of a grant a person can take back: capabilities that grant power, secrets, limits above the safe ceilings. */
export function revocableItems(grant: GrantAsk, limits: ApprovalLimits): string[] {
  const out = grant.capabilities.filter(isPowerCapability);
  for (const n of grant.env_names) out.push(`env:${n}`);
  for (const n of grant.send_to ?? []) out.push(`send_to:${n}`);
  for (const key of ['memory_mb', 'call_timeout_ms', 'llm_budget_usd'] as const) {
    const v = grant.limits[key];
    if (v !== undefined && v > limits.safe[key]) out.push(key);
  }
  if (grant.limits.isolation === 'dedicated') out.push('isolation');
  return out;
}

function setLimit(limits: AgentLimits, key: LimitKey, value: number | string | undefined): void {
  if (value === undefined) return;
  if (key === 'isolation') limits.isolation = value === 'dedicated' ? 'dedicated' : 'shared';
  else if (typeof value === 'number') limits[key] = value;
}
