/**
 * commander without `process.exit`: the three command lines (wactorz, wactorz node, wactorz-mcp)
 * parse through here, so a test can read what a user would see and the caller decides how to exit.
 * Help and version → exit 0 with their text; a bad flag or value → exit 2 with commander's message
 * and the command's hint; a stray positional argument → exit 2 the same way.
 */
import { type Command, CommanderError } from 'commander';

export type ParseOutcome<T> = { kind: 'run'; flags: T } | { kind: 'exit'; code: number; output: string };

/** `hint` follows every usage error, e.g. "Run `wactorz --help` for the list of flags.\n". */
export function parseCommand<T extends object>(cmd: Command, argv: string[], hint = ''): ParseOutcome<T> {
  let output = '';
  // Stray arguments are ours to report: commander's message does not name them.
  cmd.exitOverride().allowExcessArguments().configureOutput({ writeOut: (s) => (output += s), writeErr: (s) => (output += s) });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    const helpOrVersion = e.code === 'commander.helpDisplayed' || e.code === 'commander.version';
    return { kind: 'exit', code: helpOrVersion ? 0 : 2, output: output + (helpOrVersion ? '' : hint) };
  }
  if (cmd.args.length > 0) return { kind: 'exit', code: 2, output: `error: unexpected argument '${cmd.args[0]}'\n${hint}` };
  return { kind: 'run', flags: cmd.opts<T>() };
}
