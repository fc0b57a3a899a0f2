import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseCommand } from './parse-command.js';
import { parseMcpArgs } from '../mcp/mcp-args.js';

const cmd = (): Command =>
  new Command('demo')
    .option('--port <n>', 'a port', (v) => Number(v), 1)
    .helpOption('-h, --help', 'show this help')
    .version('9.9.9', '-v, --version');
const hint = 'Run `demo --help`.\n';

describe('parseCommand (commander without process.exit)', () => {
  it('returns the flags to run with', () => {
    expect(parseCommand(cmd(), ['--port', '8'], hint)).toEqual({ kind: 'run', flags: { port: 8 } });
  });

  it('answers help and version with exit 0 and their text, without the hint', () => {
    const help = parseCommand(cmd(), ['--help'], hint);
    expect(help).toMatchObject({ kind: 'exit', code: 0, output: expect.stringContaining('--port <n>') });
    expect(help.kind === 'exit' && help.output.includes(hint)).toBe(false);
    expect(parseCommand(cmd(), ['-v'], hint)).toEqual({ kind: 'exit', code: 0, output: '9.9.9\n' });
  });

  it('answers a bad flag and a stray argument with exit 2, the message and the hint', () => {
    expect(parseCommand(cmd(), ['--nope'], hint)).toEqual({ kind: 'exit', code: 2, output: "error: unknown option '--nope'\n" + hint });
    expect(parseCommand(cmd(), ['extra'], hint)).toEqual({ kind: 'exit', code: 2, output: "error: unexpected argument 'extra'\n" + hint });
  });

  it('is what wactorz-mcp parses with', () => {
    expect(parseMcpArgs(['--url', 'http://127.0.0.1:9'], {})).toEqual({ kind: 'run', flags: { url: 'http://127.0.0.1:9', timeout: 300 } });
    expect(parseMcpArgs(['--timeout', '-1'], {})).toMatchObject({ kind: 'exit', code: 2, output: expect.stringContaining('not a positive number') });
    expect(parseMcpArgs(['x'], {})).toEqual({ kind: 'exit', code: 2, output: "error: unexpected argument 'x'\n" });
  });
});
