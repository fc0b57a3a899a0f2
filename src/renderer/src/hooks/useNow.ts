import { useEffect, useState } from 'react';

/** The current time, re-rendering every `intervalMs` (relative times like "12 s ago" stay live). */
export function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}
