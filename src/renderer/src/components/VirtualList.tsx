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
  const programmatic = useRef(false);
  const scrollTopRef = useRef(0);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Follow the tail: after rows are appended, jump to the bottom. Only writes to the DOM (the
  // viewport height is known from the ResizeObserver), so no layout is forced mid-frame.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !follow) return;
    const target = Math.max(0, items.length * rowHeight - height);
    if (Math.abs(scrollTopRef.current - target) > 1) {
      programmatic.current = true;
      el.scrollTop = target;
      scrollTopRef.current = target;
      setScrollTop(target);
    }
  }, [items.length, follow, rowHeight, height]);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    scrollTopRef.current = el.scrollTop;
    setScrollTop(el.scrollTop);
    if (programmatic.current) {
      programmatic.current = false;
      return;
    }
    if (onFollowChange) onFollowChange(isAtBottom(el.scrollTop, el.clientHeight, el.scrollHeight));
  }, [onFollowChange]);

  useEffect(() => {
    // Clamp when the list shrinks under the current scroll position (a filter was applied).
    const el = ref.current;
    if (el && el.scrollTop > items.length * rowHeight) setScrollTop(el.scrollTop);
  }, [items.length, rowHeight]);

  const w = computeWindow(scrollTop, height, rowHeight, items.length, overscan);
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
