import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref, type Route } from './route.js';

describe('routes', () => {
  it('parses every view', () => {
    expect(parseRoute('')).toEqual({ view: 'agents' });
    expect(parseRoute('#/agents/temp%20sensor')).toEqual({ view: 'agent', name: 'temp sensor' });
    expect(parseRoute('#/editor')).toEqual({ view: 'editor', name: null });
    expect(parseRoute('#/editor/foo')).toEqual({ view: 'editor', name: 'foo' });
    expect(parseRoute('#/nonsense')).toEqual({ view: 'agents' });
  });

  it('round-trips', () => {
    const routes: Route[] = [{ view: 'agent', name: 'a/b c' }, { view: 'chat' }, { view: 'editor', name: 'x' }, { view: 'editor', name: null }, { view: 'settings' }];
    for (const r of routes) expect(parseRoute(routeHref(r))).toEqual(r);
  });
});
