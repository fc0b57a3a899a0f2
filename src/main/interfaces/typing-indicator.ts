/**
 * "typing…" while the hub thinks: services show it for a few seconds (Telegram 5 s, Discord 10 s),
 * so it is re-sent at an interval until the reply is ready. Failures only cost the indicator.
 */
export function keepTyping(send: () => Promise<unknown>, intervalMs: number, onError?: (e: unknown) => void): () => void {
  let stopped = false;
  const fire = () => {
    if (!stopped) send().catch((e) => onError?.(e));
  };
  fire();
  const timer = setInterval(fire, intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
