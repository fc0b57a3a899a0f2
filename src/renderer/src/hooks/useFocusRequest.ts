import { useEffect, type RefObject } from 'react';
import { useUiStore, type FocusTarget } from '../stores/ui-store.js';

/** Focuses `ref` whenever a shortcut asks for `target`. */
export function useFocusRequest(target: FocusTarget, ref: RefObject<HTMLElement | null>): void {
  const focus = useUiStore((s) => s.focus);
  useEffect(() => {
    if (focus?.target !== target) return;
    const el = ref.current;
    if (!el) return;
    el.focus();
    if (el instanceof HTMLInputElement) el.select();
  }, [focus, target, ref]);
}
