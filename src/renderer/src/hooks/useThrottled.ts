import { useEffect, useRef, useState } from 'react';

/**
 * `value`, but changing at most once per `ms`: a view fed 60 times a second (a log tail at 1,000
 * lines/s, 500 heart-beating agents) re-renders and repaints a few times a second instead, which
 * is as fast as anyone reads it. The first value and the last one are never lost.
 */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(value);
  latest.current = value;
  useEffect(() => {
    if (Object.is(value, shown)) return;
    const wait = last.current + ms - Date.now();
    if (wait <= 0) {
      last.current = Date.now();
      setShown(value);
      return;
    }
    if (timer.current) return; // an update is already scheduled; it takes the latest value
    timer.current = setTimeout(() => {
      timer.current = null;
      last.current = Date.now();
      setShown(latest.current);
    }, wait);
  }, [value, shown, ms]);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  return shown;
}
