/** The views in the sidebar, in order; entry i answers Alt+(i+1) (the tenth Alt+0). One list for the sidebar, the shortcuts and the help. */
import type { IconName } from './components/Icons.js';
import type { Route, ViewName } from './lib/route.js';

export interface NavEntry {
  route: Route;
  view: ViewName;
  label: string;
  icon: IconName;
}

export const NAV: readonly NavEntry[] = [
  { route: { view: 'agents' }, view: 'agents', label: 'Agents', icon: 'agents' },
  { route: { view: 'chat' }, view: 'chat', label: 'Chat', icon: 'chat' },
  { route: { view: 'logs' }, view: 'logs', label: 'Logs', icon: 'logs' },
  { route: { view: 'editor', name: null }, view: 'editor', label: 'Code editor', icon: 'editor' },
  { route: { view: 'catalog' }, view: 'catalog', label: 'Catalog', icon: 'catalog' },
  { route: { view: 'pipelines' }, view: 'pipelines', label: 'Pipelines', icon: 'pipelines' },
  { route: { view: 'nodes' }, view: 'nodes', label: 'Nodes', icon: 'nodes' },
  { route: { view: 'home' }, view: 'home', label: 'Home', icon: 'home' },
  { route: { view: 'alerts' }, view: 'alerts', label: 'Alerts', icon: 'alerts' },
  { route: { view: 'settings' }, view: 'settings', label: 'Settings', icon: 'settings' },
  // Past the ten digits: no Alt shortcut (the existing ones keep their keys).
  { route: { view: 'graph' }, view: 'graph', label: 'Graph', icon: 'graph' },
  { route: { view: 'activity' }, view: 'activity', label: 'Activity', icon: 'activity' },
  // The sidebar badge and the tray point here.
  { route: { view: 'approvals' }, view: 'approvals', label: 'Approvals', icon: 'approvals' },
];

/** "alt+1" … "alt+9", then "alt+0"; null past ten views. */
export function navHotkey(index: number): string | null {
  if (index < 0 || index > 9) return null;
  return `alt+${(index + 1) % 10}`;
}

/** "Alt+2 Chat, 3 Logs, …" for the help. */
export function navHotkeySummary(label: (combo: string) => string): string {
  return NAV.map((n, i) => {
    const combo = navHotkey(i);
    if (!combo) return null;
    return i === 0 ? `${label(combo)} ${n.label}` : `${combo.slice(-1)} ${n.label}`;
  })
    .filter(Boolean)
    .join(', ');
}
