import { describe, expect, it } from 'vitest';
import type { Approval, ApprovalEvent } from '../../shared/approvals.js';
import type { Alert, Heartbeat } from '../../shared/mqtt-payloads.js';
import { dynamicAgentCommands } from './agent-commands.js';
import { HubStatus, trayStateOf } from './hub-status.js';
import { NotificationPolicy } from './notification-policy.js';
import { buildTrayMenu, trayIconName, trayTooltip, type MenuItemModel } from './tray-menu-model.js';

function hb(name: string, over: Partial<Heartbeat> = {}): Heartbeat {
  return { actor_id: `id-${name}`, name, timestamp: 1, state: 'running', cpu: 0, memory_mb: 10, task: null, protected: false, ...over };
}
function alert(name: string, severity: Alert['severity'], over: Partial<Alert> = {}): Alert {
  return { actor_id: `id-${name}`, name, message: `${name} silent for 60 s`, severity, timestamp: 100, ...over };
}
const ctx = { openAtLogin: false, loginItemSupported: true, hubFailed: false };
const find = (items: MenuItemModel[], label: RegExp) => items.find((i) => i.type !== 'separator' && label.test(i.label));

describe('tray state', () => {
  it('is offline unless the bus is connected, alert with active alerts, ok otherwise', () => {
    expect(trayStateOf('connected', 0)).toBe('ok');
    expect(trayStateOf('connected', 2)).toBe('alert');
    for (const c of ['reconnecting', 'offline', 'starting', 'stopped'] as const) expect(trayStateOf(c, 3)).toBe('offline');
  });

  it('follows alerts from raised to resolved', () => {
    const s = new HubStatus();
    s.setConnection('connected');
    expect(s.snapshot().trayState).toBe('ok');
    expect(s.onAlert(alert('weather', 'warning'))).toBe('raised');
    expect(s.snapshot().trayState).toBe('alert');
    expect(s.onAlert(alert('weather', 'warning'))).toBe('repeated');
    expect(s.onAlert(alert('weather', 'critical'))).toBe('escalated');
    expect(s.snapshot().activeAlerts).toEqual([expect.objectContaining({ name: 'weather', severity: 'critical' })]);
    expect(s.onAlert(alert('weather', 'critical', { resolved: true }))).toBe('resolved');
    expect(s.snapshot().trayState).toBe('ok');
    expect(s.onAlert(alert('weather', 'warning', { resolved: true }))).toBe('ignored');
    expect(s.onAlert(alert('x', 'info'))).toBe('ignored');
    expect(s.snapshot().activeAlerts).toEqual([]);
  });

  it('lists alerts newest first, bounded, and drops those of a stopped agent', () => {
    const s = new HubStatus({ maxAlerts: 3 });
    s.setConnection('connected');
    for (const n of ['a', 'b', 'c', 'd']) s.onAlert(alert(n, 'warning'));
    expect(s.snapshot().activeAlerts.map((a) => a.name)).toEqual(['d', 'c', 'b']);
    s.onHeartbeat(hb('c', { state: 'stopped' }));
    expect(s.snapshot().activeAlerts.map((a) => a.name)).toEqual(['d', 'b']);
    s.dismissAlerts();
    expect(s.snapshot().trayState).toBe('ok');
  });

  it('counts live agents: stopped and long-silent ones drop out; a restarted hub starts from zero', () => {
    let now = 1_000_000;
    const s = new HubStatus({ now: () => now, staleMs: 60_000 });
    s.setConnection('connected');
    s.onHeartbeat(hb('main', { kind: 'core' }));
    s.onHeartbeat(hb('monitor', { kind: 'core' }));
    s.onHeartbeat(hb('scraper', { kind: 'dynamic' }));
    s.onStatus({ actor_id: 'id-old', name: 'old', state: 'stopped', protected: false, uptime: 1, messages_processed: 0, restart_count: 0, supervised: false });
    expect(s.snapshot().agentCount).toBe(3);
    expect(s.agentName('id-scraper')).toBe('scraper');
    now += 61_000;
    s.onHeartbeat(hb('main', { kind: 'core' }));
    expect(s.snapshot().agentCount).toBe(1);
    s.setConnection('starting');
    expect(s.snapshot()).toMatchObject({ agentCount: 0, trayState: 'offline', activeAlerts: [] });
  });

  it('keeps an agent kind learnt from one message when the next omits it', () => {
    const s = new HubStatus();
    s.setConnection('connected');
    s.onHeartbeat(hb('gen', { kind: 'dynamic' }));
    s.onHeartbeat(hb('gen', { state: 'paused' }));
    expect(s.snapshot().dynamicAgents).toEqual([expect.objectContaining({ name: 'gen', state: 'paused', kind: 'dynamic' })]);
  });
});

describe('pause / resume all dynamic agents', () => {
  it('sends pause to running dynamic agents only, resume to paused ones', () => {
    const s = new HubStatus();
    s.setConnection('connected');
    s.onHeartbeat(hb('main', { kind: 'core' }));
    s.onHeartbeat(hb('a', { kind: 'dynamic' }));
    s.onHeartbeat(hb('b', { kind: 'dynamic', state: 'paused' }));
    s.onHeartbeat(hb('c', { kind: 'catalog' }));
    expect(dynamicAgentCommands(s.snapshot(), 'pause')).toEqual([{ topic: 'agents/id-a/commands', payload: { command: 'pause' } }]);
    expect(dynamicAgentCommands(s.snapshot(), 'resume')).toEqual([{ topic: 'agents/id-b/commands', payload: { command: 'resume' } }]);
  });
});

describe('tray menu model', () => {
  it('shows the agent count, alerts, pause/resume with counts, start at login and quit', () => {
    const s = new HubStatus();
    s.setConnection('connected');
    s.onHeartbeat(hb('main', { kind: 'core' }));
    s.onHeartbeat(hb('a', { kind: 'dynamic' }));
    s.onHeartbeat(hb('b', { kind: 'dynamic' }));
    s.onAlert(alert('a', 'critical', { message: 'a very long message '.repeat(10) }));
    const menu = buildTrayMenu(s.snapshot(), { ...ctx, openAtLogin: true });
    expect(menu[0]).toEqual({ type: 'normal', label: 'Open dashboard', enabled: true, action: 'open-dashboard' });
    expect(find(menu, /agents running/)).toMatchObject({ label: '3 agents running', enabled: false });
    const alerts = find(menu, /Active alerts/);
    expect(alerts).toMatchObject({ type: 'submenu', label: 'Active alerts (1)' });
    const first = (alerts as Extract<MenuItemModel, { type: 'submenu' }>).items[0] as { label: string };
    expect(first.label.startsWith('Critical — a: a very long message')).toBe(true);
    expect(first.label.length).toBeLessThanOrEqual(80);
    expect(find(menu, /Pause all/)).toMatchObject({ label: 'Pause all dynamic agents (2)', enabled: true, action: 'pause-dynamic' });
    expect(find(menu, /Resume all/)).toMatchObject({ enabled: false });
    expect(find(menu, /Start at login/)).toMatchObject({ type: 'checkbox', checked: true });
    expect(find(menu, /Restart hub/)).toBeUndefined();
    expect(menu.at(-1)).toMatchObject({ label: 'Quit Wactorz', action: 'quit' });
  });

  it('disables agent commands while offline and offers a restart when the hub failed', () => {
    const s = new HubStatus();
    s.setConnection('stopped');
    const menu = buildTrayMenu(s.snapshot(), { ...ctx, hubFailed: true });
    expect(find(menu, /Hub stopped/)).toBeDefined();
    expect(find(menu, /No active alerts/)).toMatchObject({ enabled: false });
    expect(find(menu, /Pause all/)).toMatchObject({ enabled: false });
    expect(find(menu, /Restart hub/)).toMatchObject({ action: 'restart-hub' });
  });

  it('caps the alert list and says how many more there are', () => {
    const s = new HubStatus();
    s.setConnection('connected');
    for (let i = 0; i < 14; i++) s.onAlert(alert(`agent${i}`, 'warning'));
    const sub = find(buildTrayMenu(s.snapshot(), ctx), /Active alerts/) as Extract<MenuItemModel, { type: 'submenu' }>;
    const labels = sub.items.filter((i) => i.type === 'normal').map((i) => (i as { label: string }).label);
    expect(labels).toHaveLength(12);
    expect(labels).toContain('…and 4 more');
    expect(labels.at(-1)).toBe('Dismiss all');
  });

  it('has a tooltip and an icon per state and panel', () => {
    const s = new HubStatus();
    s.setConnection('connected');
    s.onHeartbeat(hb('main'));
    s.onAlert(alert('main', 'warning'));
    expect(trayTooltip(s.snapshot())).toBe('Wactorz — 1 agents, 1 alert');
    s.setConnection('reconnecting');
    expect(trayTooltip(s.snapshot())).toBe('Wactorz — Bus reconnecting…');
    expect(trayIconName('alert', 'dark')).toBe('tray-alert-dark.png');
  });
});

describe('approvals in the tray', () => {
  const approval = (over: Partial<Approval> = {}): Approval => ({
    id: 'ap-abc123',
    agent: 'watcher',
    agent_kind: 'dynamic',
    asked_by: { kind: 'llm', name: 'main', via: 'spawn_block' },
    reason: 'Watches the router',
    state: 'pending',
    items: [
      { key: 'fetch_local', kind: 'capability', label: 'reach this machine', state: 'pending' },
      { key: 'memory_mb', kind: 'limit', label: 'memory (MB)', value: 1024, asked: 2048, state: 'pending' },
    ],
    waiting: false,
    created_at: 1,
    decided_at: null,
    decided_by: null,
    ...over,
  });
  const event = (over: Partial<ApprovalEvent>): ApprovalEvent => ({ event: 'snapshot', pending: 0, timestamp: 1, ...over });

  it('shows the pending count in the menu and the tooltip; the item opens Approvals', () => {
    const s = new HubStatus();
    s.setConnection('connected');
    expect(find(buildTrayMenu(s.snapshot(), ctx), /Approvals/)).toBeUndefined();
    s.setApprovalsPending(2);
    expect(find(buildTrayMenu(s.snapshot(), ctx), /Approvals/)).toMatchObject({ label: 'Approvals waiting (2)…', enabled: true, action: 'open-approvals' });
    expect(trayTooltip(s.snapshot())).toBe('Wactorz — 0 agents, 2 approvals waiting');
    s.setConnection('starting');
    expect(s.snapshot().approvalsPending).toBe(0);
  });

  it('notifies a new request (what, who, how to approve) and, after a restart, what still waits — not while the window has focus', () => {
    const p = new NotificationPolicy();
    const requested = event({ event: 'requested', approval: approval(), pending: 1 });
    expect(p.forApproval(requested, false, true)).toBeNull();
    expect(p.forApproval(requested, false, false)).toEqual({
      title: 'Approval needed — watcher',
      body: "main's LLM asks for fetch_local, memory_mb 1024 (asked 2048). Open Approvals in the dashboard, or /approve ap-abc123 in chat.",
      urgency: 'normal',
    });
    expect(p.forApproval(event({ event: 'snapshot', pending: 3 }), true, false)).toMatchObject({ title: '3 approvals waiting' });
    // A later snapshot, an empty one, a decision: quiet.
    expect(p.forApproval(event({ event: 'snapshot', pending: 3 }), false, false)).toBeNull();
    expect(p.forApproval(event({ event: 'snapshot', pending: 0 }), true, false)).toBeNull();
    expect(p.forApproval(event({ event: 'decided', approval: approval({ state: 'approved' }) }), false, false)).toBeNull();
  });
});
