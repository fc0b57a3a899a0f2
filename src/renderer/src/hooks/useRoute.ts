import { useSyncExternalStore } from 'react';
import { parseRoute, routeHref, type Route } from '../lib/route.js';

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash, () => '');
  // parseRoute is cheap; components compare fields, not identity.
  return parseRoute(hash);
}

export function navigate(r: Route): void {
  const href = routeHref(r);
  if (window.location.hash !== href) window.location.hash = href;
}
