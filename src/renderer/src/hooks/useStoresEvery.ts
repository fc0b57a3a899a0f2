import { useEffect, useReducer, useRef } from 'react';
import { flushSync } from 'react-dom';

/**
 * Several store selections read together at most once per `ms`, in one render at the start of an
 * animation frame (like useThrottledStore, but one timer for all of them: two stores throttled
 * apart would render twice). The component re-renders only when a selection changed (Object.is).
 */
export function useStoresEvery<T extends readonly unknown[]>(read: () => T, ms: number): T {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const readRef = useRef(read);
  readRef.current = read;
  const shown = useRef<T | null>(null);
  shown.current ??= read();
  useEffect(() => {
    let frame = 0;
    const timer = setInterval(() => {
      if (frame !== 0) return;
      const next = readRef.current();
      if (next.every((v, i) => Object.is(v, shown.current![i]))) return;
      shown.current = next;
      if (typeof requestAnimationFrame !== 'function') rerender();
      else
        frame = requestAnimationFrame(() => {
          frame = 0;
          flushSync(rerender);
        });
    }, ms);
    return () => {
      clearInterval(timer);
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [ms]);
  return shown.current;
}
