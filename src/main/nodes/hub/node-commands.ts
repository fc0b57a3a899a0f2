/**
 * Chat commands for the fleet, offered to main by the nodes integration (shown by /help):
 *   /nodes                     every node: online or not, load, memory, its agents and their states
 *   /migrate <agent> <node>    moves a remote agent with its state to another node
 */
import type { ChatCommand } from '../../integration/integration.js';
import { toError } from '../../core/errors.js';
import type { NodeRegistry } from './node-registry.js';

function ago(epochSeconds: number | null): string {
  if (epochSeconds === null) return 'never seen';
  const s = Math.max(0, Math.round(Date.now() / 1000 - epochSeconds));
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

export function nodeCommands(nodes: NodeRegistry): ChatCommand[] {
  return [
    {
      name: 'nodes',
      usage: '/nodes',
      help: 'remote nodes: online, load, their agents',
      run: () => {
        const list = nodes.listNodes();
        if (list.length === 0) return 'No nodes yet. Start one on another machine with `wactorz node --broker <host> --name <name>`, then spawn an agent with "node": "<name>".';
        const lines = [`${list.length} node${list.length === 1 ? '' : 's'}:`];
        for (const n of list) {
          const load = n.load ? `load ${n.load.map((l) => l.toFixed(2)).join(' ')}` : 'load ?';
          const mem = n.memory_mb !== null ? `, ${Math.round(n.memory_mb)} MB` : '';
          const status = n.online ? 'online ' : 'OFFLINE';
          lines.push(`  ${n.name.padEnd(20)} ${status} ${load}${mem} (last heartbeat ${ago(n.last_seen)})${n.alert ? ` — ${n.alert} alert` : ''}`);
          const names = [...new Set([...n.placed, ...n.agents])].sort();
          for (const a of names) {
            const state = n.agent_states[a] ?? (n.placed.includes(a) ? 'pending' : 'unknown');
            const note = n.placed.includes(a) ? '' : ' (not placed by this hub)';
            lines.push(`      ${a.padEnd(24)} ${state}${note}`);
          }
          if (n.pending_commands) lines.push(`      ${n.pending_commands} command${n.pending_commands === 1 ? '' : 's'} waiting for it`);
        }
        return lines.join('\n');
      },
    },
    {
      name: 'migrate',
      usage: '/migrate <agent> <node>',
      help: 'move a remote agent, with its state, to another node',
      async run(args) {
        const [agent, node] = args;
        if (!agent || !node) return 'Usage: /migrate <agent> <node>';
        try {
          return (await nodes.migrate(agent, node)).message;
        } catch (e) {
          return toError(e).message;
        }
      },
    },
  ];
}
