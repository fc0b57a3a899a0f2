/**
 * Watches a store through a selector and reports a changed selection at most once per `ms`,
 * with the first change at once and the last one never lost. The stores change once per frame
 * (60 times a second under load); a view that subscribes this way renders only when it reports —
 * the agents table and a log tail 4 times a second — instead of re-rendering 60 times a second to
 * show the same thing. Pure (no React), so it is tested with fake timers.
 */
export interface Subscribable<S> {
  getState(): S;
  subscribe(listener: (state: S, prev: S) => void): () => void;
}

export function subscribeThrottled<S, T>(
  store: Subscribable<S>,
  select: (s: S) => T,
  ms: number,
  /** The selection shown now: changes are judged against it. */
  shown: T,
  onShow: (value: T) => void,
  now: () => number = Date.now,
): () => void {
  let current = shown;
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const show = () => {
    timer = null;
    const v = select(store.getState());
    if (Object.is(v, current)) return;
    current = v;
    last = now();
    onShow(v);
  };
  const onChange = () => {
    if (timer) return; // already due: it will read the newest state
    if (Object.is(select(store.getState()), current)) return;
    const wait = last + ms - now();
    if (wait <= 0) show();
    else timer = setTimeout(show, wait);
  };
  const unsubscribe = store.subscribe(onChange);
  // A change between the render that read `shown` and this subscription is not lost.
  onChange();
  return () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    timer = null;
  };
}
