import { useEffect, useRef } from 'react';
import { matchHotkey, type Hotkey } from '../lib/hotkeys.js';

/** Global keyboard shortcuts; the latest handlers are used without re-binding. */
export function useHotkeys(bindings: Record<Hotkey, (e: KeyboardEvent) => void>): void {
  const ref = useRef(bindings);
  ref.current = bindings;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      for (const [combo, handler] of Object.entries(ref.current) as [Hotkey, (e: KeyboardEvent) => void][]) {
        if (matchHotkey(combo, e)) {
          handler(e);
          return;
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
