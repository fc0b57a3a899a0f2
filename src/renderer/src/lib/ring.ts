/**
 * Capped append for immutable arrays (zustand state): appends `items` and keeps the newest `cap`.
 * Returns the same array when there is nothing to add, so selectors see no change.
 */
export function appendCapped<T>(list: readonly T[], items: readonly T[], cap: number): T[] {
  if (items.length === 0) return list as T[];
  if (items.length >= cap) return items.slice(items.length - cap);
  const overflow = list.length + items.length - cap;
  if (overflow <= 0) return list.concat(items);
  return list.slice(overflow).concat(items);
}
