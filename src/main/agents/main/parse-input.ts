/**
 * What the user typed, before any LLM is involved: `@name {json}` / `@name text` go straight to that
 * actor, `/command args` is a hub command, anything else is conversation for the LLM.
 */
export type ParsedInput =
  | { kind: 'mention'; target: string; payload: unknown; raw: string }
  | { kind: 'command'; command: string; args: string[]; raw: string }
  | { kind: 'chat'; text: string };

const MENTION = /^@([A-Za-z0-9][A-Za-z0-9_.-]*)(?:\s+([\s\S]*))?$/;
const COMMAND = /^\/([a-z][a-z0-9_-]*)(?:\s+([\s\S]*))?$/i;

export function parseInput(input: string): ParsedInput {
  const text = input.trim();
  const mention = MENTION.exec(text);
  if (mention) {
    const target = mention[1]!;
    const rest = (mention[2] ?? '').trim();
    return { kind: 'mention', target, payload: mentionPayload(rest), raw: rest };
  }
  const command = COMMAND.exec(text);
  if (command) {
    const rest = (command[2] ?? '').trim();
    return { kind: 'command', command: command[1]!.toLowerCase(), args: rest ? rest.split(/\s+/) : [], raw: rest };
  }
  return { kind: 'chat', text };
}

/**
 * `{…}`/`[…]` that parses is sent as JSON (the original's structured tasks); anything else is sent as
 * `{text}` so every handler gets an object.
 */
function mentionPayload(rest: string): unknown {
  if (/^[[{]/.test(rest)) {
    try {
      return JSON.parse(rest);
    } catch {
      // Not JSON after all: fall through and send it as text.
    }
  }
  return { text: rest };
}
