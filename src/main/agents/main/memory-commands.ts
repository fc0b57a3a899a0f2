/**
 * Commands for what main remembers: /memory and /forget for the user's facts (user_facts), /remember
 * to add one by hand, /clear for the conversation history (transcript and rolling summary).
 */
import type { LLMAgent } from '../llm/llm-agent.js';
import type { MainCommand } from './main-commands.js';
import { normalizeFacts, type UserMemory } from './user-memory.js';

export function memoryCommands(memory: () => UserMemory, agent: Pick<LLMAgent, 'clearConversation' | 'conversationView'>): MainCommand[] {
  return [
    {
      name: 'memory',
      usage: '/memory',
      help: 'what I remember about you (given to the LLM as context)',
      run: () => {
        const facts = Object.entries(memory().all());
        if (!facts.length) return 'I don\'t remember anything about you yet. Tell me ("my name is …", "the kitchen lamp is light.kitchen") or use /remember key: value.';
        const view = agent.conversationView();
        return [
          `I remember ${facts.length} fact${facts.length === 1 ? '' : 's'}:`,
          ...facts.map(([k, v]) => `  ${k}: ${v}`),
          '',
          `Conversation: ${view.turns.length} recent turns${view.turnsFolded ? `, ${view.turnsFolded} older ones summarised` : ''}. /forget <key> forgets one fact, /forget all of them, /clear the conversation.`,
        ].join('\n');
      },
    },
    {
      name: 'forget',
      usage: '/forget [key]',
      help: 'forget one fact about you, or all of them',
      run: (_ctx, args) => {
        const key = args.join(' ').trim();
        if (!key) {
          const n = memory().forget();
          return n ? `Forgotten: all ${n} fact${n === 1 ? '' : 's'} I had about you.` : 'There was nothing to forget.';
        }
        return memory().forget(key) ? `Forgotten: ${key}.` : `I have nothing under "${key}". /memory lists what I remember.`;
      },
    },
    {
      name: 'remember',
      usage: '/remember <key>: <value>',
      help: 'remember a fact about you',
      run: (_ctx, args) => {
        const raw = args.join(' ');
        const sep = raw.search(/[:=]/);
        const facts = sep > 0 ? normalizeFacts({ [raw.slice(0, sep)]: raw.slice(sep + 1) }, 'user') : [];
        if (!facts.length) return 'Usage: /remember <key>: <value>, e.g. /remember kitchen lamp: light.wiz_kitchen';
        memory().remember(facts);
        return `Remembered: ${facts[0]!.key} = ${facts[0]!.value}.`;
      },
    },
    {
      name: 'clear',
      usage: '/clear',
      help: 'forget our conversation (history and summary); facts stay',
      run: async () => {
        const n = await agent.clearConversation();
        return n ? `Conversation cleared (${n} turns). What you told me to remember stays — /forget clears that.` : 'The conversation was already empty.';
      },
    },
  ];
}
