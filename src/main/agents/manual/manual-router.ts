/**
 * From a natural-language request to one of the tools `load_manual | ask | status | clear`. The LLM
 * decides (the original's dispatcher prompt: normalise the device name, ask when the device is the
 * loaded one, load when it is another…) and its answer is taken only when it is one JSON object that
 * routerDecisionSchema accepts (fences and prose around it are tolerated, as the original does).
 * Anything else — no LLM, a failed call, prose, an unknown tool, a load without a device — falls
 * back to the original's keyword heuristic, so the agent stays useful without an LLM.
 */
import { routerDecisionSchema, deviceVariantsSchema, type RouterDecision } from '../../../shared/manual-agent.js';

export const ROUTER_SYSTEM = `You are the dispatcher for a device-manual assistant. Your ONLY job is to
classify the user's message into one of four tools and return a single JSON object - nothing else,
no prose, no markdown fences.

Tools:
  load_manual - the user wants to fetch/load/find a manual for a specific device. Extract the device
                model name and NORMALIZE it: correct obvious brand misspellings ("Phillips" -> "Philips",
                "Cannon" -> "Canon"), drop filler ("please", "my", "the"), keep model numbers exactly.
                Example: "load the Phillips 2200 manual" -> {"tool": "load_manual", "device": "Philips 2200"}
  ask         - a question ABOUT the loaded manual (how-to, troubleshooting, specs). Pass it verbatim.
                Example: "how do I descale it?" -> {"tool": "ask", "question": "how do I descale it?"}
  status      - what manual is loaded, or a short greeting when nothing is loaded.
                Example: "what's loaded?" -> {"tool": "status"}
  clear       - forget/reset/clear the current manual. Example: "forget it" -> {"tool": "clear"}

Rules: a device named and no manual loaded -> load_manual; a device named that matches the loaded
one -> ask; a different device -> load_manual; a question without a device and a manual loaded -> ask.

Return EXACTLY one JSON object with a "tool" key and at most "device" and "question" besides.`;

/** The user turn of the router call: what is loaded, and the message. */
export function routerPrompt(text: string, loaded: { device: string; pages: number } | null): string {
  const state = loaded ? `Currently loaded manual: ${loaded.device} (${loaded.pages} pages)` : 'Currently loaded manual: (none)';
  return `${state}\n\nUser message: ${JSON.stringify(text)}\n\nReturn the JSON tool call now.`;
}

/** The first JSON value of an LLM answer: bare, fenced, or the outermost `open…close` span in prose. */
function extractJson(raw: string, open: '{' | '['): unknown {
  let s = raw.trim();
  if (s.startsWith('```')) s = s.replace(/^```[a-z]*\s*/i, '').replace(/\s*```\s*$/, '').trim();
  const attempts = [s];
  const close = open === '{' ? '}' : ']';
  const first = s.indexOf(open);
  const last = s.lastIndexOf(close);
  if (first !== -1 && last > first) attempts.push(s.slice(first, last + 1));
  for (const a of attempts) {
    try {
      return JSON.parse(a);
    } catch {
      // try the next form
    }
  }
  return undefined;
}

/** The LLM's decision, or null when it is not one valid tool call. */
export function parseRouterDecision(raw: string): RouterDecision | null {
  const r = routerDecisionSchema.safeParse(extractJson(raw, '{'));
  if (!r.success) return null;
  if (r.data.tool === 'load_manual' && !r.data.device) return null;
  return r.data;
}

/** Device-name variants the LLM suggested (a JSON array of strings), or none. */
export function parseDeviceVariants(raw: string): string[] {
  const r = deviceVariantsSchema.safeParse(extractJson(raw, '['));
  return r.success ? r.data : [];
}

export function variantsPrompt(device: string): string {
  return [
    `The user asked for the manual of: ${JSON.stringify(device)}`,
    '',
    'Web search found no results. Suggest up to 3 alternate forms of this device name that a manufacturer would actually use, most likely first:',
    '  - correct misspelled brand names (Phillips -> Philips, Cannon -> Canon, Sumsung -> Samsung);',
    '  - prepend the brand when it is missing but can be inferred;',
    '  - include the prefixed model family when there is one (Philips espresso 2200 -> EP2200).',
    '',
    'Return ONLY a JSON array of strings, e.g. ["Philips EP2200", "Philips 2200 series"].',
  ].join('\n');
}

const CLEAR = /\b(clear|reset|forget|unload|drop)\b/i;
const STATUS = /\b(status|what(?:'s| is) loaded|which manual|current manual)\b/i;
const LOAD = /\b(load|fetch|get|find|download|search for)\b.*\b(manual|guide|instructions?)\b/i;
const FILLER = /\b(please|can you|could you|load|fetch|get|find|download|search for|the|a|an|manual|guide|instructions?|for|my|of)\b/gi;

export type HeuristicRoute = { tool: 'clear' } | { tool: 'status' } | { tool: 'load_manual'; device: string } | { tool: 'ask'; question: string } | { tool: 'none' };

/** The original's no-LLM router: keywords, and a question when a manual is loaded. */
export function heuristicRoute(text: string, manualLoaded: boolean): HeuristicRoute {
  if (CLEAR.test(text) && text.length < 40) return { tool: 'clear' };
  if (STATUS.test(text)) return { tool: 'status' };
  if (LOAD.test(text)) {
    const device = text
      .replace(FILLER, '')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^[\s,.?!"']+|[\s,.?!"']+$/g, '');
    if (device) return { tool: 'load_manual', device };
  }
  return manualLoaded ? { tool: 'ask', question: text } : { tool: 'none' };
}
