/**
 * The `/commands` main understands without an LLM. Each is one entry: name, usage, help and what
 * it does, so `/help` is always complete. Agents are named by name or id.
 */
import type { ActorSystem } from '../../core/actor-system.js';
import type { CostTracker } from '../../llm/cost-tracker.js';
import { toError } from '../../core/errors.js';

export interface CommandContext {
  system: ActorSystem;
  costs: CostTracker;
  llmSummary: string;
  /** Extra commands' handlers registered by other parts (e.g. /forget by user memory). */
  extra: Map<string, MainCommand>;
}

export interface MainCommand {
  name: string;
  usage: string;
  help: string;
  run(ctx: CommandContext, args: string[]): Promise<string> | string;
}

const lifecycle = (name: 'stop' | 'pause' | 'resume' | 'delete' | 'restart', help: string): MainCommand => ({
  name,
  usage: `/${name} <agent>`,
  help,
  async run(ctx, args) {
    const target = args[0];
    if (!target) return `Usage: /${name} <agent>`;
    try {
      return await ctx.system.command(target, name);
    } catch (e) {
      return toError(e).message;
    }
  },
});

export const BUILTIN_COMMANDS: MainCommand[] = [
  {
    name: 'help',
    usage: '/help',
    help: 'this list',
    run: (ctx) =>
      [
        'Commands:',
        ...[...BUILTIN_COMMANDS, ...ctx.extra.values()].map((c) => `  ${c.usage.padEnd(24)} ${c.help}`),
        '',
        'Talk to an agent directly: @name {"json": "task"} or @name some text',
        'Anything else goes to the LLM.',
      ].join('\n'),
  },
  {
    name: 'agents',
    usage: '/agents',
    help: 'list every actor with its state',
    run: (ctx) => {
      const rows = ctx.system
        .list()
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((a) => `  ${a.name.padEnd(28)} ${a.state.padEnd(8)} ${a.kind.padEnd(8)}${a.isProtected ? ' protected' : ''}${a.description ? ` — ${a.description}` : ''}`);
      return [`${rows.length} actors:`, ...rows].join('\n');
    },
  },
  lifecycle('stop', 'stop an agent (protected ones refuse)'),
  lifecycle('pause', 'pause an agent; its messages wait'),
  lifecycle('resume', 'resume a paused agent'),
  lifecycle('restart', 'restart a supervised agent'),
  lifecycle('delete', 'stop and remove an agent'),
  {
    name: 'health',
    usage: '/health',
    help: 'system health from the monitor',
    async run(ctx) {
      try {
        return JSON.stringify(await ctx.system.ask('monitor', { action: 'health' }, 5_000), null, 2);
      } catch (e) {
        return toError(e).message;
      }
    },
  },
  {
    name: 'cost',
    usage: '/cost',
    help: 'LLM tokens and cost per agent and in total',
    run: (ctx) => {
      const snap = ctx.costs.snapshot();
      const fmt = (name: string, s: { calls: number; inputTokens: number; outputTokens: number; costUsd: number }) =>
        `  ${name.padEnd(28)} ${String(s.calls).padStart(5)} calls ${String(s.inputTokens).padStart(8)} in ${String(s.outputTokens).padStart(8)} out  $${s.costUsd.toFixed(4)}`;
      const rows = Object.entries(snap.agents).map(([n, s]) => fmt(n, s));
      return [ctx.llmSummary, ...rows, fmt('total', snap.total)].join('\n');
    },
  },
];

export function findCommand(ctx: CommandContext, name: string): MainCommand | undefined {
  return BUILTIN_COMMANDS.find((c) => c.name === name) ?? ctx.extra.get(name);
}
