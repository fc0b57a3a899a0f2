/**
 * The DynamicAgent isolation runtime: each agent's code runs in its own QuickJS (WebAssembly)
 * engine — own memory and cap, own deadline — many engines to a sandbox worker thread of a small
 * pool. See docs/dynamic-agent-isolation.md for what it stops and what it does not.
 */
export { createSandboxedAgent } from './sandboxed-agent.js';
export { configureEnginePool, closeEnginePool, enginePoolConfig, enginePoolStats, type EnginePoolConfig, type EnginePoolStats } from './engine-pool.js';
export { validateAgentCode, MAX_CODE_BYTES, type CodeValidation, type ValidateOptions } from './validate.js';
export { transpileAgentCode, type TranspiledAgent } from './transpile.js';
export { SandboxError, formatDiagnostics, type SandboxErrorKind, type SandboxErrorDetail, type CodeDiagnostic } from './errors.js';
export {
  DEFAULT_LIMITS,
  type AgentExports,
  type AgentHost,
  type AgentLanguage,
  type HostFetchRequest,
  type HostFetchResponse,
  type SandboxLimits,
  type SandboxPlacement,
  type SandboxStatus,
  type SandboxedAgent,
  type SandboxedAgentOptions,
} from './types.js';
