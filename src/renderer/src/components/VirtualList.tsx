/**
 * A windowed list with fixed row height: only the rows on screen (plus a margin) are in the DOM,
 * so 500 agents or 10,000 log lines cost the same to scroll. With `follow`, it sticks to the
 * bottom as rows are appended (a log tail) until the user scrolls up.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { computeWindow, isAtBottom } from '../lib/virtual-window.js';

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  renderRow: (item: T, index: number) => ReactNode;
  getKey: (item: T, index: number) => string | number;
  className?: string;
  /** Keep the view at the bottom while new rows arrive. */
  follow?: boolean;
  /** Called when the user scrolls away from (false) or back to (true) the bottom. */
  onFollowChange?: (follow: boolean) => void;
  overscan?: number;
  emptyText?: ReactNode;
  /**
   * Key rows by their slot on screen instead of by item: a scrolling tail then updates the same
   * DOM rows in place instead of mounting a new screenful every frame.
   */
  keyBySlot?: boolean;
  testId?: string;
  ariaLabel?: string;
}

export function VirtualList<T>({
  items,
  rowHeight,
  renderRow,
  getKey,
  className,
  follow = false,
  onFollowChange,
  overscan = 8,
  emptyText,
  keyBySlot = false,
  testId,
  ariaLabel,
}: VirtualListProps<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const scrollTopRef = useRef(0);
  const followRef = useRef(follow);
  followRef.current = follow;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Follow the tail: the window is computed from the bottom (no state round trip), and after rows
  // are appended the viewport is moved there with one DOM write — no layout is read, so none is
  // forced mid-frame. Our own scroll event is recognised by its position and costs nothing.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !follow) return;
    const target = Math.max(0, items.length * rowHeight - height);
    if (Math.abs(scrollTopRef.current - target) > 1) {
      scrollTopRef.current = target;
      el.scrollTop = target;
    }
  }, [items.length, follow, rowHeight, height]);

  // Following stopped (paused, or switched off): the window stays where the tail was.
  useLayoutEffect(() => {
    if (!follow) setScrollTop(scrollTopRef.current);
  }, [follow]);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const top = el.scrollTop;
    if (followRef.current && Math.abs(top - scrollTopRef.current) <= 1) return; // our own move to the bottom
    scrollTopRef.current = top;
    setScrollTop(top);
    if (onFollowChange) onFollowChange(isAtBottom(top, el.clientHeight, el.scrollHeight));
  }, [onFollowChange]);

  useEffect(() => {
    // Clamp when the list shrinks under the current scroll position (a filter was applied) — from
    // what we know, without reading the DOM (a read after a commit forces a layout).
    const maxTop = Math.max(0, items.length * rowHeight - height);
    if (!followRef.current && scrollTopRef.current > maxTop) {
      scrollTopRef.current = maxTop;
      setScrollTop(maxTop);
    }
  }, [items.length, rowHeight, height]);

  const w = computeWindow(follow ? items.length * rowHeight : scrollTop, height, rowHeight, items.length, overscan);
  const rows: ReactNode[] = [];
  for (let i = w.start; i < w.end; i++) {
    const item = items[i]!;
    rows.push(
      <div key={keyBySlot ? i - w.start : getKey(item, i)} className="vrow" style={{ height: rowHeight }} role="listitem">
        {renderRow(item, i)}
      </div>,
    );
  }
  return (
    <div ref={ref} className={`vlist ${className ?? ''}`} onScroll={onScroll} data-testid={testId} role="list" aria-label={ariaLabel}>
      {items.length === 0 && emptyText ? <div className="vlist-empty">{emptyText}</div> : null}
      <div style={{ height: w.totalHeight, position: 'relative' }}>
        <div style={{ transform: `translateY(${w.offsetTop}px)` }}>{rows}</div>
      </div>
    </div>
  );
}
