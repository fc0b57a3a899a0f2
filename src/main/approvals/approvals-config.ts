/**
 * The caps and ceilings of approvals from the environment (documented in docs/security.md):
 *
 *   WACTORZ_MAX_AGENTS             agents in the spawn registry, everyone together     (1000)
 *   WACTORZ_SPAWNS_PER_MINUTE      spawns a minute by one LLM actor or agent           (20)
 *   WACTORZ_MAX_AGENT_MEMORY_MB    the most memory any agent gets, MB                  (1024)
 *   WACTORZ_MAX_CALL_TIMEOUT_MS    the longest call any agent gets, ms                 (300000)
 *   WACTORZ_MAX_AGENT_LLM_USD      the largest LLM budget any agent gets, USD          (20)
 *   WACTORZ_AGENT_LLM_BUDGET_USD   an LLM-made agent's budget until a person raises it (1)
 *   WACTORZ_DEDICATED_WORKERS      0 refuses `isolation: dedicated` to everyone        (1)
 *
 * A value that is not a positive number is ignored with a log line (the default stays). Safe
 * ceilings above a maximum are lowered to it.
 */
import type { Logger } from '../base/logger.js';
import { DEFAULT_APPROVAL_LIMITS, type ApprovalLimits } from './grant-policy.js';

type Overrides = Partial<Omit<ApprovalLimits, 'max' | 'safe'>> & { max?: Partial<ApprovalLimits['max']>; safe?: Partial<ApprovalLimits['safe']> };

export function approvalLimitsFrom(env: NodeJS.ProcessEnv, overrides: Overrides = {}, log?: Logger): ApprovalLimits {
  const num = (name: string, integer: boolean): number | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    const v = Number(raw);
    if (Number.isFinite(v) && v > 0 && (!integer || Number.isInteger(v))) return v;
    log?.('warning', `approvals: ${name}=${raw} is not a positive ${integer ? 'integer' : 'number'}; the default stays`);
    return undefined;
  };
  const d = DEFAULT_APPROVAL_LIMITS;
  const dedicated = env.WACTORZ_DEDICATED_WORKERS?.trim();
  const max = {
    memory_mb: num('WACTORZ_MAX_AGENT_MEMORY_MB', true) ?? d.max.memory_mb,
    call_timeout_ms: num('WACTORZ_MAX_CALL_TIMEOUT_MS', true) ?? d.max.call_timeout_ms,
    llm_budget_usd: num('WACTORZ_MAX_AGENT_LLM_USD', false) ?? d.max.llm_budget_usd,
    dedicated: dedicated === undefined || dedicated === '' ? d.max.dedicated : !['0', 'false', 'no', 'off'].includes(dedicated.toLowerCase()),
    ...overrides.max,
  };
  const safe = { ...d.safe, llm_budget_usd: num('WACTORZ_AGENT_LLM_BUDGET_USD', false) ?? d.safe.llm_budget_usd, ...overrides.safe };
  for (const k of ['memory_mb', 'call_timeout_ms', 'llm_budget_usd'] as const) safe[k] = Math.min(safe[k], max[k]);
  return {
    maxAgents: overrides.maxAgents ?? num('WACTORZ_MAX_AGENTS', true) ?? d.maxAgents,
    spawnsPerMinute: overrides.spawnsPerMinute ?? num('WACTORZ_SPAWNS_PER_MINUTE', true) ?? d.spawnsPerMinute,
    max,
    safe,
  };
}
