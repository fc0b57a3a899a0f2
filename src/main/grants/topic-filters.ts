/**
 * Set algebra on MQTT topic filters (`+` one level, `#` the rest, including the parent level:
 * `a/#` matches `a`). A permission check on a subscription must ask "can any topic this filter
 * matches lie in a forbidden namespace?" — a string comparison says no for `#` or `+/chat/#`
 * against `io/chat`, so these answer it exactly, level by level.
 */

/** True when some topic is matched by both filters (e.g. `+/chat/#` and `io/#`: `io/chat`). */
export function filtersIntersect(a: string, b: string): boolean {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; ; i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === '#' || y === '#') return true;
    if (x === undefined || y === undefined) return x === y;
    if (x !== '+' && y !== '+' && x !== y) return false;
  }
}

/** True when every topic `inner` matches is matched by `outer` too (`sensors/#` covers `sensors/+/temp`). */
export function filterCovers(outer: string, inner: string): boolean {
  const po = outer.split('/');
  const pi = inner.split('/');
  for (let i = 0; ; i++) {
    const o = po[i];
    const n = pi[i];
    if (o === '#') return true;
    if (n === undefined) return o === undefined;
    if (o === undefined || n === '#') return false;
    if (n === '+' ? o !== '+' : o !== '+' && o !== n) return false;
  }
}

/** True when `filter` holds a wildcard (a publish topic never does). */
export function hasWildcard(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}
