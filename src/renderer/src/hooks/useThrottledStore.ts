import { useEffect, useReducer, useRef } from 'react';
import { flushSync } from 'react-dom';
import { subscribeThrottled, type Subscribable } from '../lib/throttled-subscription.js';

/**
 * A store selection that re-renders the component at most once per `ms` (see
 * lib/throttled-subscription.ts). `deps` are what the selector depends on besides the state
 * (e.g. which agent): when they change, the selection is read again at once.
 *
 * The render happens at the start of an animation frame (flushSync in requestAnimationFrame), so
 * render, commit, layout and paint land in one frame; rendered from a timer task instead, the work
 * could straddle a frame boundary and drop a frame that it would have fitted into.
 */
export function useThrottledStore<S, T>(store: Subscribable<S>, select: (s: S) => T, ms: number, deps: readonly unknown[] = []): T {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const selectRef = useRef(select);
  selectRef.current = select;
  const shown = useRef<{ deps: readonly unknown[]; value: T } | null>(null);
  if (shown.current === null || shown.current.deps.length !== deps.length || shown.current.deps.some((d, i) => !Object.is(d, deps[i]))) {
    shown.current = { deps, value: select(store.getState()) };
  }
  useEffect(() => {
    const at = shown.current!;
    let frame = 0;
    const render = () => {
      frame = 0;
      flushSync(rerender);
    };
    const unsubscribe = subscribeThrottled(store, (s) => selectRef.current(s), ms, at.value, (v) => {
      at.value = v;
      if (typeof requestAnimationFrame !== 'function') rerender();
      else if (frame === 0) frame = requestAnimationFrame(render);
    });
    return () => {
      unsubscribe();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
    // `deps` are spread on purpose: the subscription follows what the selector depends on.
  }, [store, ms, ...deps]);
  return shown.current.value;
}
