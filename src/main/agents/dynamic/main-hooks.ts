/**
 * What MainActor needs from the DynamicAgent part, behind one small interface so main stays
 * ignorant of sandboxes and registries:
 * - `promptSection()`: teaches main's LLM the `<spawn>` block and the agent API;
 * - `converseWithSpawns(…)`: main's conversational reply with `<spawn>` blocks kept out of the
 *   stream and the final text, spawned, and replaced by one line per spawn (what it is, or why not);
 * - `wantsAgent(text)` / `writeAgent(text)`: "create an agent that …" → the agent writer.
 */
import type { CostTracker } from '../../llm/cost-tracker.js';
import type { LlmProvider } from '../../llm/provider.js';
import { withCostTracking } from '../../llm/tracked-provider.js';
import { writeAgent } from './agent-writer.js';
import type { DynamicAgentService, SpawnReport } from './dynamic-agent-service.js';
import { extractSpawnBlocks, hasSpawnBlock } from './spawn-blocks.js';
import { filterSpawnBlocks } from './spawn-stream-filter.js';
import { spawnPromptSection } from './prompt/agent-api-prompt.js';

export interface MainAgentHooks {
  /** A section for main's system prompt: how to create agents. */
  promptSection(): string;
  /** Spawns the `<spawn>` blocks of an LLM reply; the visible text has one line per block instead. */
  applySpawnBlocks(reply: string): Promise<{ text: string; reports: SpawnReport[] }>;
  /** "create an agent that …", "make me a bot which …". */
  wantsAgent(text: string): boolean;
  /** Writes, checks (with repair rounds) and spawns the agent `request` asks for; the reply for the user. */
  writeAgent(request: string): Promise<string>;
  /** Main's conversational turn with spawning (see `converseWithSpawns`). */
  converse(onChunk: ((chunk: string) => void) | undefined, converse: (onChunk?: (chunk: string) => void) => Promise<string>): Promise<string>;
}

export interface MainHooksDeps {
  service: DynamicAgentService;
  /** The raw provider; the writer's calls are billed to `main`. */
  llm: LlmProvider;
  costs: CostTracker;
  /** Names in use (the writer avoids them). */
  names: () => string[];
}

/**
 * "create an agent that …", "make me a bot which …", "build a temperature alert agent": a verb of
 * making, an indefinite article, up to three words that are not prepositions, then agent/bot/actor.
 * ("make the agent faster" or "write a poem about agents" are not requests for a new agent.)
 */
const WANTS_AGENT =
  /\b(?:create|make|build|write|spawn|generate|set\s+up|deploy|add)\s+(?:me\s+|us\s+)?(?:an?|another|new)\s+(?:(?!(?:about|for|with|to|on|of|from|by|in|into|like)\b)[\w-]+\s+){0,3}?(?:agent|bot|actor)s?\b/i;

/** Names shown to the writer (so it picks a free one); bounded for big hubs. */
const MAX_NAMES_SHOWN = 200;

export function wantsAgent(text: string): boolean {
  return WANTS_AGENT.test(text);
}

export function createMainAgentHooks(deps: MainHooksDeps): MainAgentHooks {
  const llm = withCostTracking(deps.llm, deps.costs, 'main');
  const hooks: MainAgentHooks = {
    promptSection: spawnPromptSection,
    async applySpawnBlocks(reply) {
      if (!hasSpawnBlock(reply)) return { text: reply, reports: [] };
      const { text, blocks } = extractSpawnBlocks(reply);
      const reports: SpawnReport[] = [];
      for (const block of blocks) {
        if (!block.ok) {
          reports.push({ ok: false, name: block.name ?? '?', type: 'unknown', message: `An agent was not spawned: ${block.error}` });
          continue;
        }
        reports.push(await deps.service.spawnFromSpec(block.spec, 'llm'));
      }
      const lines = reports.map((r) => r.message);
      return { text: [text, ...lines].filter(Boolean).join('\n\n'), reports };
    },
    wantsAgent,
    async writeAgent(request) {
      const result = await writeAgent(request, { llm, spawn: (spec) => deps.service.spawnFromSpec(spec, 'writer'), takenNames: () => deps.names().slice(0, MAX_NAMES_SHOWN) });
      return result.reply;
    },
    converse: (onChunk, converse) => converseWithSpawns(hooks, onChunk, converse),
  };
  return hooks;
}

/**
 * Main's conversational turn with agent spawning: `converse` streams through a filter that keeps
 * blocks out of the chunks, then the blocks are spawned and their outcome appended (also streamed).
 * Without hooks it is `converse(onChunk)` unchanged.
 */
export async function converseWithSpawns(
  hooks: MainAgentHooks | undefined,
  onChunk: ((chunk: string) => void) | undefined,
  converse: (onChunk?: (chunk: string) => void) => Promise<string>,
): Promise<string> {
  if (!hooks) return converse(onChunk);
  const filter = onChunk ? filterSpawnBlocks(onChunk) : undefined;
  const raw = await converse(filter ? (c) => filter.push(c) : undefined);
  filter?.end();
  const { text, reports } = await hooks.applySpawnBlocks(raw);
  if (onChunk && reports.length) onChunk(`\n\n${reports.map((r) => r.message).join('\n\n')}`);
  return text;
}
