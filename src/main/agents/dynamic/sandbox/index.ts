/**
 * The DynamicAgent isolation runtime: each agent's code runs in a QuickJS (WebAssembly) engine in
 * its own worker thread. See docs/dynamic-agent-isolation.md for what it stops and what it does not.
 */
export { createSandboxedAgent } from './sandboxed-agent.js';
export { configureEnginePool, closeEnginePool } from './engine-pool.js';
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
  type SandboxStatus,
  type SandboxedAgent,
  type SandboxedAgentOptions,
} from './types.js';
