/**
 * User memory: durable facts the user states ("my name is Ada", "the kitchen lamp is
 * light.wiz_kitchen", "remember that I park in spot 12"), kept in SQLite (user_facts) and given to
 * the LLM in main's system prompt.
 *
 * Two sources, no extra LLM round trip:
 * - a deterministic pass over every chat message (this file): cheap, predictable, and deliberately
 *   narrow — explicit "remember …", names, entity ids, and "my <known thing> is …" — so "my head
 *   is killing me" does not become a fact;
 * - when main classifies a message anyway (an HA agent or a planner exists), the same call also
 *   returns facts (intent.ts), which catches what the patterns miss.
 */
import type { Database } from 'better-sqlite3';
import { UserFacts } from '../../persistence/stores/user-facts.js';

export type FactSource = 'pattern' | 'llm' | 'user';

export interface Fact {
  key: string;
  value: string;
  source: FactSource;
}

const MAX_KEY = 60;
const MAX_VALUE = 300;
const MAX_KEY_WORDS = 5;
const ENTITY_ID = /^[a-z_]+\.[a-z0-9_]+$/i;
const ENTITY_ID_IN = '([a-z_]+\\.[a-z0-9_]+)';

/** "My Kitchen  Lamp" → "kitchen lamp": lower case, single spaces, no leading article or quotes. */
export function normalizeKey(raw: string): string {
  return raw
    .trim()
    .replace(/^["'`]+|["'`:]+$/g, '')
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .replace(/^(?:the|my|our|a|an)\s+/, '')
    .slice(0, MAX_KEY)
    .trim();
}

function cleanValue(raw: string): string {
  const v = raw
    .trim()
    // A value ends where the next clause starts.
    .split(/\s*[,;]\s+|\s+but\s+|\s+and\s+(?=(?:i|my|the|it|we|you|he|she|they)\b)/i)[0]!
    .replace(/^["'`]+|["'`]+$/g, '')
    .replace(/[.!]+$/, '')
    .trim();
  return v.slice(0, MAX_VALUE);
}

function fact(key: string, value: string, source: FactSource): Fact | undefined {
  const k = normalizeKey(key);
  const v = ENTITY_ID.test(value.trim()) ? value.trim().toLowerCase() : cleanValue(value);
  if (!k || !v || (!k.startsWith('note: ') && k.split(' ').length > MAX_KEY_WORDS)) return undefined;
  if (/^(?:not|no longer|never)\b/i.test(v)) return undefined; // "my name is not Bob" is not a name
  return { key: k, value: v, source };
}

// "my <key> is …" only for things that are durable facts about a person or their home.
const PERSONAL_KEY =
  /^(?:(?:wife|husband|partner|son|daughter|kid|child|dog|cat|pet|mother|mom|mum|father|dad|brother|sister|boss|friend)(?:'s|s)? name|favou?rite [a-z]+(?: [a-z]+)?|birthday|date of birth|email(?: address)?|phone(?: number)?|(?:home )?address|city|home ?town|time ?zone|job|profession|occupation|employer|pronouns|(?:preferred )?language|nickname|age)$/i;

type Rule = (s: string) => Fact | undefined;

const RULES: Rule[] = [
  (s) => {
    const m = /^(?:my name is|my name's|i am called|i'm called|call me)\s+(.+)$/i.exec(s);
    return m ? fact('name', m[1]!, 'pattern') : undefined;
  },
  (s) => {
    const m = new RegExp(`^(.+?)\\s+(?:is|=|means)\\s+${ENTITY_ID_IN}$`, 'i').exec(s);
    return m ? fact(m[1]!, m[2]!, 'pattern') : undefined;
  },
  (s) => {
    const m = new RegExp(`^${ENTITY_ID_IN}\\s+is\\s+(.+)$`, 'i').exec(s);
    return m ? fact(m[2]!, m[1]!, 'pattern') : undefined;
  },
  (s) => {
    const m = /^my\s+(.+?)\s+(?:is|are)\s+(.+)$/i.exec(s);
    return m && PERSONAL_KEY.test(normalizeKey(m[1]!)) ? fact(m[1]!, m[2]!, 'pattern') : undefined;
  },
  (s) => {
    const m = /^i\s+live\s+in\s+(.+)$/i.exec(s);
    return m ? fact('home city', m[1]!, 'pattern') : undefined;
  },
  (s) => {
    const m = /^i\s+work\s+(?:at|for)\s+(.+)$/i.exec(s);
    return m ? fact('employer', m[1]!, 'pattern') : undefined;
  },
];

const REMEMBER = /^(?:please\s+)?(?:remember|note|keep in mind)(?:\s+that)?\s*[:,]?\s+(.+)$/i;

function fromSentence(sentence: string): Fact | undefined {
  const s = sentence.trim().replace(/[.!;]+$/, '');
  if (!s || s.endsWith('?')) return undefined;
  const remember = REMEMBER.exec(s);
  const body = remember ? remember[1]!.trim() : s;
  for (const rule of RULES) {
    const f = rule(body);
    if (f) return f;
  }
  if (!remember) return undefined;
  // An explicit "remember that …" with no key/value shape is kept as a note.
  const words = body.split(/\s+/).slice(0, 6).join(' ');
  return fact(`note: ${words}`, body, 'pattern');
}

/** Facts stated in a chat message, by the deterministic patterns. Questions state nothing. */
export function extractFacts(text: string): Fact[] {
  const out = new Map<string, Fact>();
  for (const sentence of text.split(/(?<=[.!?;])\s+|\n+/)) {
    const f = fromSentence(sentence);
    if (f) out.set(f.key, f);
  }
  return [...out.values()];
}

/** Facts as an LLM returned them: `{key: value}`, `[{key, value}]` or `["key: value"]`. Invalid entries are dropped. */
export function normalizeFacts(raw: unknown, source: FactSource, max = 10): Fact[] {
  const pairs: [string, unknown][] = [];
  if (Array.isArray(raw)) {
    for (const item of raw) {
      if (typeof item === 'string' && item.includes(':')) pairs.push([item.slice(0, item.indexOf(':')), item.slice(item.indexOf(':') + 1)]);
      else if (item && typeof item === 'object' && 'key' in item && 'value' in item) pairs.push([String((item as { key: unknown }).key), (item as { value: unknown }).value]);
    }
  } else if (raw && typeof raw === 'object') pairs.push(...Object.entries(raw));
  const out: Fact[] = [];
  for (const [k, v] of pairs) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
    const f = fact(k, String(v), source);
    if (f && out.length < max) out.push(f);
  }
  return out;
}

const PROMPT_FACTS = 60;
const PROMPT_CHARS = 4000;

/** The user_facts table, as main uses it. */
export class UserMemory {
  private readonly facts: UserFacts;

  constructor(db: Database) {
    this.facts = new UserFacts(db);
  }

  /** Stores the facts; returns those that were new or changed. */
  remember(facts: readonly Fact[]): Fact[] {
    const changed: Fact[] = [];
    for (const f of facts) {
      if (this.facts.get(f.key) === f.value) continue;
      this.facts.set(f.key, f.value);
      changed.push(f);
    }
    return changed;
  }

  all(): Record<string, string> {
    return this.facts.all();
  }

  /** Forgets one fact (by key, normalised like stored keys) or, without a key, all of them. Returns how many. */
  forget(key?: string): number {
    if (key !== undefined) return this.facts.delete(normalizeKey(key)) || this.facts.delete(key) ? 1 : 0;
    const keys = Object.keys(this.facts.all());
    for (const k of keys) this.facts.delete(k);
    return keys.length;
  }

  /** The system-prompt section ('' when nothing is known). */
  promptSection(): string {
    const lines: string[] = [];
    let size = 0;
    for (const [k, v] of Object.entries(this.all()).slice(0, PROMPT_FACTS)) {
      const line = k.startsWith('note: ') ? `- ${v}` : `- ${k}: ${v}`;
      if (size + line.length > PROMPT_CHARS) break;
      lines.push(line);
      size += line.length;
    }
    if (!lines.length) return '';
    return `What the user has told you (remembered across sessions; use it when relevant, e.g. to know which entity "the kitchen lamp" is):\n${lines.join('\n')}`;
  }
}

/** "name: Ada, kitchen lamp: light.wiz_kitchen" for short confirmations. */
export function describeFacts(facts: readonly Fact[]): string {
  return facts.map((f) => (f.key.startsWith('note: ') ? f.value : `${f.key} = ${f.value}`)).join('; ');
}
