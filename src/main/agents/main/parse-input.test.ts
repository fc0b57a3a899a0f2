import { describe, expect, it } from 'vitest';
import { parseInput } from './parse-input.js';

describe('parseInput', () => {
  it('routes @name {json} with the parsed object', () => {
    expect(parseInput('@home-assistant-agent {"action":"states"}')).toEqual({
      kind: 'mention',
      target: 'home-assistant-agent',
      payload: { action: 'states' },
      raw: '{"action":"states"}',
    });
  });

  it('routes @name text as {text}', () => {
    expect(parseInput('  @echo hello there ')).toMatchObject({ kind: 'mention', target: 'echo', payload: { text: 'hello there' } });
    expect(parseInput('@echo')).toMatchObject({ kind: 'mention', target: 'echo', payload: { text: '' } });
  });

  it('sends broken JSON as text rather than failing', () => {
    expect(parseInput('@echo {"a": ')).toMatchObject({ kind: 'mention', payload: { text: '{"a":' } });
  });

  it('parses /commands with arguments', () => {
    expect(parseInput('/stop my-agent')).toEqual({ kind: 'command', command: 'stop', args: ['my-agent'], raw: 'my-agent' });
    expect(parseInput('/HELP')).toMatchObject({ kind: 'command', command: 'help', args: [] });
  });

  it('treats everything else as chat, including e-mail addresses and paths', () => {
    expect(parseInput('mail me at a@b.c')).toEqual({ kind: 'chat', text: 'mail me at a@b.c' });
    expect(parseInput('/')).toEqual({ kind: 'chat', text: '/' });
    expect(parseInput('@')).toEqual({ kind: 'chat', text: '@' });
  });
});
