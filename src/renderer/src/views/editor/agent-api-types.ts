/**
 * Type declarations of the DynamicAgent API (`agent` in setup/handleTask/process/cleanup) for
 * Monaco's TypeScript service, so completion, hover and type errors work in the editor.
 *
 * The source of truth is src/shared/agent-api.ts. It is picked up at build time through
 * import.meta.glob (a missing file yields an empty match instead of a build error): an exported
 * declarations string is used as is; a types-only module is turned into global declarations.
 * Until the file exists, the built-in description below (from ARCHITECTURE.md) stands in.
 */

const sharedModules = import.meta.glob('../../../../shared/agent-api.ts', { eager: true }) as Record<string, Record<string, unknown>>;
const sharedSources = import.meta.glob('../../../../shared/agent-api.ts', { eager: true, query: '?raw', import: 'default' }) as Record<string, string>;

const FALLBACK = `
/** Severity of an alert an agent raises (shown as a toast in the dashboard). */
type AlertSeverity = 'info' | 'warning' | 'critical';
type LogLevel = 'debug' | 'info' | 'warning' | 'error';
interface ChatMessage { role: 'system' | 'user' | 'assistant'; content: string }
interface LlmChatOptions { system?: string; model?: string; maxTokens?: number; temperature?: number }
interface AgentInfo { name: string; actor_id: string; state: string; kind?: string; description?: string; capabilities?: string[] }
interface TopicInfo { topic: string; last_seen?: number; count?: number }
interface WindowSample { topic: string; payload: unknown; timestamp: number }
interface FetchInit { method?: string; headers?: Record<string, string>; body?: string; timeout?: number }
interface FetchResponse { ok: boolean; status: number; statusText: string; headers: Record<string, string>; url: string; text(): Promise<string>; json<T = unknown>(): Promise<T> }

/** The only door an agent has to the system. */
interface AgentApi {
  /** The agent's name (unique in the hub). */
  readonly name: string;
  /** Stable id: uuid5 of "wactorz.actor.<name>". */
  readonly actorId: string;
  /** A plain object kept across restarts and hot-swaps. */
  state: Record<string, unknown>;
  /** Seconds between process() calls; may be changed at run time. */
  interval: number;
  /** Declared secrets the user approved. */
  readonly env: Record<string, string>;
  log(message: string, level?: LogLevel): void;
  alert(message: string, severity?: AlertSeverity): void;
  publish(topic: string, payload: unknown, options?: { retain?: boolean; qos?: 0 | 1 }): void;
  /** MQTT wildcards (+, #); returns a function that unsubscribes. */
  subscribe(pattern: string, callback: (payload: unknown, topic: string) => void | Promise<void>): () => void;
  /** Sends a task to another agent and waits for its result (timeout in seconds). */
  sendTo<T = unknown>(name: string, payload: unknown, timeout?: number): Promise<T>;
  /** The next message on a topic, or null after timeout seconds. */
  mqttGet<T = unknown>(topic: string, timeout?: number): Promise<T | null>;
  /** Messages seen on a topic during the last seconds. */
  window(topic: string, seconds: number): Promise<WindowSample[]>;
  persist(key: string, value: unknown): Promise<void>;
  recall<T = unknown>(key: string): Promise<T | undefined>;
  readonly llm: {
    chat(messages: ChatMessage[], options?: LlmChatOptions): Promise<string>;
    complete(prompt: string, system?: string): Promise<string>;
  };
  agents(): Promise<AgentInfo[]>;
  topics(): Promise<TopicInfo[]>;
  fetch(url: string, init?: FetchInit): Promise<FetchResponse>;
}
`;

/** Interface names the shared file might give the agent object, most specific first. */
const API_NAMES = ['AgentApi', 'AgentAPI', 'DynamicAgentApi', 'GuestAgentApi', 'AgentContext', 'Agent'];

function declarationsFromModule(mod: Record<string, unknown> | undefined): string | null {
  if (!mod) return null;
  const entries = Object.entries(mod).filter(([, v]) => typeof v === 'string' && /\b(interface|declare|type)\b/.test(v as string)) as [string, string][];
  if (entries.length === 0) return null;
  const preferred = entries.find(([k]) => /d_?ts|declaration|typings|types/i.test(k)) ?? entries[0]!;
  return preferred[1];
}

/** A types-only module as global declarations (imports dropped, `export` removed); null if it has runtime code. */
export function globaliseTypesModule(source: string): string | null {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  if (/^\s*(export\s+)?(const|let|var|function|class|enum)\b/m.test(withoutComments)) return null;
  return source
    .replace(/^\s*import\s+type\s[^;]+;\s*$/gm, '')
    .replace(/^\s*import\s[^;]+;\s*$/gm, '')
    .replace(/^\s*export\s+(type\s+)?\{[^}]*\}(\s+from\s+[^;]+)?;\s*$/gm, '')
    .replace(/^(\s*)export\s+(default\s+)?/gm, '$1');
}

/** `type Agent = <the API interface>` unless the declarations already define `Agent`. */
export function agentAlias(decls: string): string {
  if (/\b(interface|type)\s+Agent\b/.test(decls)) return '';
  const name = API_NAMES.find((n) => new RegExp(`\\b(interface|type)\\s+${n}\\b`).test(decls));
  return name ? `\n/** The \`agent\` passed to setup, handleTask, process and cleanup. */\ntype Agent = ${name};\n` : '\ntype Agent = any;\n';
}

export function agentApiDeclarations(): { source: 'shared' | 'fallback'; text: string } {
  const key = Object.keys(sharedModules)[0] ?? Object.keys(sharedSources)[0];
  if (key) {
    const fromString = declarationsFromModule(sharedModules[key]);
    const decls = fromString ?? (sharedSources[key] ? globaliseTypesModule(sharedSources[key]!) : null);
    if (decls) return { source: 'shared', text: decls + agentAlias(decls) };
  }
  return { source: 'fallback', text: FALLBACK + agentAlias(FALLBACK) };
}
