/**
 * Collects items (MQTT messages) and hands them over in one batch per animation frame, so a burst
 * of 1,000 log lines costs one store update and one render instead of 1,000. Browsers stop
 * animation frames in background tabs; a timer fallback keeps the queue flowing (and bounded) there.
 */
export interface FrameScheduler {
  /** Calls `cb` once, soon (next frame); returns a function that cancels it. */
  schedule(cb: () => void): () => void;
}

const hasFrames = () => typeof requestAnimationFrame === 'function' && typeof cancelAnimationFrame === 'function';

export const animationFrameScheduler: FrameScheduler = {
  schedule(cb) {
    let done = false;
    let raf = 0;
    const cancel = () => {
      done = true;
      if (raf && hasFrames()) cancelAnimationFrame(raf);
      clearTimeout(timer);
    };
    const run = () => {
      if (done) return;
      cancel();
      cb();
    };
    // Background tabs get no frames: flush on a timer instead (throttled to ~1 s by the browser).
    const timer = setTimeout(run, 100);
    if (hasFrames()) raf = requestAnimationFrame(run);
    return cancel;
  },
};

/**
 * A fixed-interval "frame" for places without animation frames: the bus worker batches what the
 * socket delivers every `ms` and posts it to the page, which then applies it on its own next frame.
 */
export function intervalScheduler(ms: number): FrameScheduler {
  return {
    schedule(cb) {
      const timer = setTimeout(cb, ms);
      return () => clearTimeout(timer);
    },
  };
}

export class FrameBatcher<T> {
  private queue: T[] = [];
  private cancel: (() => void) | null = null;
  private disposed = false;

  constructor(
    private readonly flushFn: (items: T[]) => void,
    private readonly scheduler: FrameScheduler = animationFrameScheduler,
    /** Above this many queued items, flush at once rather than wait for the frame. */
    private readonly maxQueued = 20_000,
  ) {}

  push(item: T): void {
    if (this.disposed) return;
    this.queue.push(item);
    if (this.queue.length >= this.maxQueued) {
      this.flush();
      return;
    }
    if (!this.cancel) this.cancel = this.scheduler.schedule(() => this.flush());
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Hands over everything queued now. */
  flush(): void {
    if (this.cancel) {
      this.cancel();
      this.cancel = null;
    }
    if (this.queue.length === 0) return;
    const items = this.queue;
    this.queue = [];
    this.flushFn(items);
  }

  dispose(): void {
    this.disposed = true;
    this.cancel?.();
    this.cancel = null;
    this.queue = [];
  }
}
