import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref } from './lib/route.js';
import { NAV, navHotkey, navHotkeySummary } from './nav.js';
import { SHORTCUTS } from './components/ShortcutHelp.js';

describe('navigation', () => {
  it('gives the first ten views their own Alt+digit, in sidebar order (the graph and activity come after)', () => {
    const keys = NAV.map((_, i) => navHotkey(i));
    expect(keys).toEqual(['alt+1', 'alt+2', 'alt+3', 'alt+4', 'alt+5', 'alt+6', 'alt+7', 'alt+8', 'alt+9', 'alt+0', null, null, null]);
    expect(NAV.slice(10).map((n) => n.view)).toEqual(['graph', 'activity', 'approvals']);
    expect(new Set(NAV.map((n) => n.view)).size).toBe(NAV.length);
  });

  it('every entry routes to itself', () => {
    for (const n of NAV) expect(parseRoute(routeHref(n.route)).view).toBe(n.view);
  });

  it('the help lists every view with its digit', () => {
    const text = navHotkeySummary((c) => c);
    expect(text).toBe('alt+1 Agents, 2 Chat, 3 Logs, 4 Code editor, 5 Catalog, 6 Pipelines, 7 Nodes, 8 Home, 9 Alerts, 0 Settings');
    expect(SHORTCUTS.some((s) => s.what.includes('0 Settings') && s.what.includes('8 Home'))).toBe(true);
  });
});
