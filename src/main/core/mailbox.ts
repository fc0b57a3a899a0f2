/**
 * A bounded FIFO on a growable ring buffer: O(1) push and shift (Array#shift is O(n) once V8
 * leaves its fast path), and memory that grows with use rather than with capacity, so an idle
 * actor with a 10 000-message bound costs a few hundred bytes.
 *
 * Overflow policy when `capacity` messages are waiting:
 * - `reject-new` (default): `push` returns false and the message is not queued. The actor runtime
 *   turns that into `send() === false` for the sender and an ERROR `{kind: 'overflow'}` for an asker.
 *   Back-pressure reaches the producer, and what was already accepted is never lost.
 * - `drop-oldest`: the oldest waiting message is evicted to make room and handed to `onDrop`
 *   (the runtime answers an evicted TASK's asker with an ERROR `{kind: 'overflow'}`). For
 *   telemetry-like inboxes where only the latest messages matter.
 */
export type OverflowPolicy = 'reject-new' | 'drop-oldest';

export const DEFAULT_INBOX_CAPACITY = 10_000;

export interface MailboxOptions<T> {
  /** Maximum waiting items; `Infinity` for an unbounded queue. */
  capacity?: number;
  overflow?: OverflowPolicy;
  /** Called with each item evicted under `drop-oldest`. */
  onDrop?: (item: T) => void;
}

const INITIAL_SLOTS = 16;

export class Mailbox<T> {
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  private readonly onDrop: ((item: T) => void) | undefined;
  private buf: (T | undefined)[];
  private mask: number;
  private head = 0;
  private count = 0;
  /** Items turned away (reject-new) or evicted (drop-oldest) since creation. */
  dropped = 0;

  constructor(opts: MailboxOptions<T> = {}) {
    const capacity = opts.capacity ?? DEFAULT_INBOX_CAPACITY;
    if (!(capacity >= 1)) throw new RangeError(`mailbox capacity must be ≥ 1, got ${capacity}`);
    this.capacity = capacity;
    this.overflow = opts.overflow ?? 'reject-new';
    this.onDrop = opts.onDrop;
    this.buf = new Array<T | undefined>(INITIAL_SLOTS);
    this.mask = INITIAL_SLOTS - 1;
  }

  get size(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count >= this.capacity;
  }

  /** Appends `item`; false when full under `reject-new`. */
  push(item: T): boolean {
    if (this.count >= this.capacity) {
      if (this.overflow === 'reject-new') {
        this.dropped++;
        return false;
      }
      const evicted = this.shift() as T;
      this.dropped++;
      this.onDrop?.(evicted);
    }
    if (this.count === this.buf.length) this.grow();
    this.buf[(this.head + this.count) & this.mask] = item;
    this.count++;
    return true;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const i = this.head;
    const item = this.buf[i];
    this.buf[i] = undefined; // let the message be collected
    this.head = (i + 1) & this.mask;
    this.count--;
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.buf[this.head];
  }

  /** Removes and returns everything waiting, oldest first. */
  drainAll(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }

  private grow(): void {
    const old = this.buf;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & this.mask];
    this.buf = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}
