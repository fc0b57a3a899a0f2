import { describe, expect, it } from 'vitest';
import { hotkeyLabel, matchHotkey, type KeyLike } from './hotkeys.js';

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

describe('matchHotkey', () => {
  it('maps mod to Ctrl elsewhere and Cmd on macOS', () => {
    expect(matchHotkey('mod+s', key('s', { ctrlKey: true }), false)).toBe(true);
    expect(matchHotkey('mod+s', key('s', { metaKey: true }), false)).toBe(false);
    expect(matchHotkey('mod+s', key('s', { metaKey: true }), true)).toBe(true);
    expect(matchHotkey('mod+s', key('s', { ctrlKey: true }), true)).toBe(false);
  });

  it('does not fire plain keys while typing, but does fire modified ones', () => {
    const input = { tagName: 'INPUT' };
    expect(matchHotkey('?', key('?', { shiftKey: true, target: input }), false)).toBe(false);
    expect(matchHotkey('?', key('?', { shiftKey: true, target: { tagName: 'DIV' } }), false)).toBe(true);
    expect(matchHotkey('mod+k', key('k', { ctrlKey: true, target: input }), false)).toBe(true);
  });

  it('requires exactly the asked modifiers', () => {
    expect(matchHotkey('alt+1', key('1', { altKey: true }), false)).toBe(true);
    expect(matchHotkey('alt+1', key('1'), false)).toBe(false);
    expect(matchHotkey('k', key('k', { ctrlKey: true }), false)).toBe(false);
  });
});

describe('hotkeyLabel', () => {
  it('reads naturally per platform', () => {
    expect(hotkeyLabel('mod+k', false)).toBe('Ctrl+K');
    expect(hotkeyLabel('mod+k', true)).toBe('⌘K');
  });
});
