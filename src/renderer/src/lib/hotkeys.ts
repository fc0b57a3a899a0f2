/**
 * Keyboard shortcuts as strings like "mod+k" (mod = Cmd on macOS, Ctrl elsewhere), "alt+1", "?".
 * Plain keys (no modifier) never fire while the user is typing in a field.
 */
export type Hotkey = string;

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  target?: unknown;
}

export function isMac(platform = globalThis.navigator?.platform ?? ''): boolean {
  return /mac|iphone|ipad/i.test(platform);
}

function isTyping(target: unknown): boolean {
  const el = target as { tagName?: string; isContentEditable?: boolean } | null;
  if (!el || typeof el.tagName !== 'string') return false;
  return el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable === true;
}

export function matchHotkey(combo: Hotkey, e: KeyLike, mac = isMac()): boolean {
  const parts = combo.toLowerCase().split('+');
  const key = parts.pop()!;
  const want = { mod: false, ctrl: false, alt: false, shift: false };
  for (const p of parts) if (p in want) want[p as keyof typeof want] = true;
  const modPressed = mac ? e.metaKey : e.ctrlKey;
  const ctrlPressed = mac ? e.ctrlKey : false;
  if (want.mod !== modPressed) return false;
  if (mac && want.ctrl !== ctrlPressed) return false;
  if (!mac && !want.mod && e.ctrlKey) return false;
  if (want.alt !== e.altKey) return false;
  // Shift is implied by characters like "?"; only check it when asked for.
  if (want.shift && !e.shiftKey) return false;
  if (!want.mod && !want.alt && !want.ctrl && isTyping(e.target)) return false;
  const k = e.key.toLowerCase();
  return k === key || (key === 'space' && k === ' ');
}

/** How a combo reads on this platform: "⌘K" or "Ctrl+K". */
export function hotkeyLabel(combo: Hotkey, mac = isMac()): string {
  return combo
    .split('+')
    .map((p) => {
      if (p === 'mod') return mac ? '⌘' : 'Ctrl';
      if (p === 'alt') return mac ? '⌥' : 'Alt';
      if (p === 'shift') return mac ? '⇧' : 'Shift';
      return p.length === 1 ? p.toUpperCase() : p;
    })
    .join(mac ? '' : '+');
}
