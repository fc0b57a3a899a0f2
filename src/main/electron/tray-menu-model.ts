/**
 * The tray menu as plain data: tray.ts turns it into an Electron Menu and maps each `action` to
 * what it does. Kept apart so its content (labels, counts, what is enabled) is tested under Node.
 */
import type { HubSnapshot, TrayState } from './hub-status.js';

export type TrayAction =
  | 'open-dashboard'
  | 'open-approvals'
  | 'pause-dynamic'
  | 'resume-dynamic'
  | 'dismiss-alerts'
  | 'toggle-login-item'
  | 'restart-hub'
  | 'quit';

export type MenuItemModel =
  | { type: 'normal'; label: string; enabled: boolean; action?: TrayAction }
  | { type: 'checkbox'; label: string; checked: boolean; enabled: boolean; action: TrayAction }
  | { type: 'separator' }
  | { type: 'submenu'; label: string; enabled: boolean; items: MenuItemModel[] };

export interface TrayMenuContext {
  openAtLogin: boolean;
  /** setLoginItemSettings works on macOS and Windows (and is a no-op on most Linux desktops). */
  loginItemSupported: boolean;
  /** The hub failed to start or was stopped: offer a restart. */
  hubFailed: boolean;
}

const MAX_ALERT_ITEMS = 10;

export function buildTrayMenu(s: HubSnapshot, ctx: TrayMenuContext): MenuItemModel[] {
  const running = s.dynamicAgents.filter((a) => a.state === 'running').length;
  const paused = s.dynamicAgents.filter((a) => a.state === 'paused').length;
  const online = s.connection === 'connected';
  const items: MenuItemModel[] = [
    { type: 'normal', label: 'Open dashboard', enabled: true, action: 'open-dashboard' },
    { type: 'separator' },
    { type: 'normal', label: statusLine(s), enabled: false },
    ...(s.approvalsPending > 0 ? [{ type: 'normal' as const, label: `Approvals waiting (${s.approvalsPending})…`, enabled: true, action: 'open-approvals' as const }] : []),
    alertsSubmenu(s),
    { type: 'separator' },
    { type: 'normal', label: `Pause all dynamic agents${running ? ` (${running})` : ''}`, enabled: online && running > 0, action: 'pause-dynamic' },
    { type: 'normal', label: `Resume all dynamic agents${paused ? ` (${paused})` : ''}`, enabled: online && paused > 0, action: 'resume-dynamic' },
    { type: 'separator' },
    { type: 'checkbox', label: 'Start at login', checked: ctx.openAtLogin, enabled: ctx.loginItemSupported, action: 'toggle-login-item' },
  ];
  if (ctx.hubFailed) items.push({ type: 'normal', label: 'Restart hub', enabled: true, action: 'restart-hub' });
  items.push({ type: 'separator' }, { type: 'normal', label: 'Quit Wactorz', enabled: true, action: 'quit' });
  return items;
}

function statusLine(s: HubSnapshot): string {
  switch (s.connection) {
    case 'connected':
      return `${s.agentCount} agent${s.agentCount === 1 ? '' : 's'} running`;
    case 'reconnecting':
      return 'Bus reconnecting…';
    case 'starting':
      return 'Hub starting…';
    case 'stopped':
      return 'Hub stopped';
    case 'offline':
      return 'Bus offline';
  }
}

function alertsSubmenu(s: HubSnapshot): MenuItemModel {
  const n = s.activeAlerts.length;
  if (n === 0) return { type: 'normal', label: 'No active alerts', enabled: false };
  const shown = s.activeAlerts.slice(0, MAX_ALERT_ITEMS).map<MenuItemModel>((a) => ({
    type: 'normal',
    label: `${a.severity === 'critical' ? 'Critical' : 'Warning'} — ${a.name}: ${truncate(a.message, 60)}`,
    enabled: true,
    action: 'open-dashboard',
  }));
  if (n > MAX_ALERT_ITEMS) shown.push({ type: 'normal', label: `…and ${n - MAX_ALERT_ITEMS} more`, enabled: true, action: 'open-dashboard' });
  shown.push({ type: 'separator' }, { type: 'normal', label: 'Dismiss all', enabled: true, action: 'dismiss-alerts' });
  return { type: 'submenu', label: `Active alerts (${n})`, enabled: true, items: shown };
}

export function trayTooltip(s: HubSnapshot): string {
  const alerts = s.activeAlerts.length;
  const waiting = s.approvalsPending ? `, ${s.approvalsPending} approval${s.approvalsPending === 1 ? '' : 's'} waiting` : '';
  const tail = s.connection === 'connected' ? `${s.agentCount} agents${alerts ? `, ${alerts} alert${alerts === 1 ? '' : 's'}` : ''}${waiting}` : statusLine(s);
  return `Wactorz — ${tail}`;
}

/** Tray icon file for a state and panel: dark glyph on light panels, light glyph on dark ones. */
export function trayIconName(state: TrayState, panel: 'light' | 'dark'): string {
  return `tray-${state}-${panel}.png`;
}

function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}
