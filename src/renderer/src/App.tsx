import { lazy, Suspense, useEffect, useState } from 'react';
import { ConnectionBadge } from './components/ConnectionBadge.js';
import { RestoreIndicator } from './components/RestoreIndicator.js';
import { Icon } from './components/Icons.js';
import { ShortcutHelp } from './components/ShortcutHelp.js';
import { Toasts } from './components/Toasts.js';
import { TokenPrompt } from './components/TokenPrompt.js';
import { useHotkeys } from './hooks/useHotkeys.js';
import { useThrottledStore } from './hooks/useThrottledStore.js';
import { navigate, useRoute } from './hooks/useRoute.js';
import { hotkeyLabel } from './lib/hotkeys.js';
import type { Route, ViewName } from './lib/route.js';
import { NAV, navHotkey } from './nav.js';
import { useAgentsStore } from './stores/agents-store.js';
import { useAlertsStore } from './stores/alerts-store.js';
import { useApprovalsStore } from './stores/approvals-store.js';
import { useConnectionStore } from './stores/connection-store.js';
import { useUiStore } from './stores/ui-store.js';
import { AgentDetailView } from './views/agent-detail/AgentDetailView.js';
import { AgentsView } from './views/agents/AgentsView.js';
import { AlertsView } from './views/alerts/AlertsView.js';
import { ApprovalsView } from './views/approvals/ApprovalsView.js';
import { CatalogView } from './views/catalog/CatalogView.js';
import { ChatView } from './views/chat/ChatView.js';
import { HomeView } from './views/home/HomeView.js';
import { LogsView } from './views/logs/LogsView.js';
import { NodesView } from './views/nodes/NodesView.js';
import { PipelinesView } from './views/pipelines/PipelinesView.js';
import { SettingsView } from './views/settings/SettingsView.js';
import { ActivityView } from './views/activity/ActivityView.js';

// Monaco is big: it loads with the editor view only; React Flow and dagre with the graph view.
const EditorView = lazy(() => import('./views/editor/EditorView.js'));
const GraphView = lazy(() => import('./views/graph/GraphView.js').then((m) => ({ default: m.GraphView })));


function titleOf(r: Route): string {
  switch (r.view) {
    case 'agent':
      return r.name;
    case 'editor':
      return r.name ? `Code · ${r.name}` : 'Code editor';
    default:
      return NAV.find((n) => n.view === r.view)?.label ?? 'Wactorz';
  }
}

function Sidebar({ route }: { route: Route }) {
  const unread = useAlertsStore((s) => s.unread);
  const approvalsPending = useApprovalsStore((s) => s.pending);
  // The count, not every heartbeat: read at most once a second.
  const agentCount = Object.keys(useThrottledStore(useAgentsStore, (s) => s.byId, 1_000)).length;
  const health = useConnectionStore((s) => s.health);
  const active: ViewName = route.view === 'agent' ? 'agents' : route.view;
  return (
    <nav className="sidebar" aria-label="Views">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span>Wactorz</span>
      </div>
      {NAV.map((n, i) => (
        <a
          key={n.view}
          href={n.route.view === 'editor' ? '#/editor' : `#/${n.view}`}
          className={`nav-item ${active === n.view ? 'active' : ''}`}
          title={navHotkey(i) ? `${n.label} (${hotkeyLabel(navHotkey(i)!)})` : n.label}
          data-testid={`nav-${n.view}`}
          aria-current={active === n.view ? 'page' : undefined}
        >
          <Icon name={n.icon} />
          <span className="label">{n.label}</span>
          {n.view === 'alerts' && unread > 0 ? <span className="nav-badge">{unread > 99 ? '99+' : unread}</span> : null}
          {n.view === 'approvals' && approvalsPending > 0 ? (
            <span className="nav-badge" data-testid="approvals-badge" title={`${approvalsPending} waiting for you`}>
              {approvalsPending > 99 ? '99+' : approvalsPending}
            </span>
          ) : null}
          {n.view === 'agents' && agentCount > 0 ? <span className="nav-count">{agentCount}</span> : null}
        </a>
      ))}
      <div className="sidebar-foot">
        {health ? (
          <span title="The hub's LLM">
            LLM: {health.llm.configured ? `${health.llm.provider}${health.llm.model ? ` · ${health.llm.model}` : ''}` : 'not configured'}
          </span>
        ) : null}
        <span>
          <kbd>?</kbd> shortcuts
        </span>
      </div>
    </nav>
  );
}

function View({ route }: { route: Route }) {
  switch (route.view) {
    case 'agents':
      return <AgentsView />;
    case 'agent':
      return <AgentDetailView name={route.name} />;
    case 'chat':
      return <ChatView />;
    case 'logs':
      return <LogsView />;
    case 'editor':
      return (
        <Suspense fallback={<div className="empty">Loading the editor…</div>}>
          <EditorView name={route.name} />
        </Suspense>
      );
    case 'catalog':
      return <CatalogView />;
    case 'alerts':
      return <AlertsView />;
    case 'settings':
      return <SettingsView />;
    case 'home':
      return <HomeView />;
    case 'pipelines':
      return <PipelinesView />;
    case 'nodes':
      return <NodesView />;
    case 'approvals':
      return <ApprovalsView />;
    case 'graph':
      return (
        <Suspense fallback={<div className="empty">Loading the graph…</div>}>
          <GraphView />
        </Suspense>
      );
    case 'activity':
      return <ActivityView />;
  }
}

const FILL_VIEWS: ViewName[] = ['agents', 'agent', 'chat', 'logs', 'editor', 'graph', 'activity'];

export function App() {
  const route = useRoute();
  const [help, setHelp] = useState(false);
  const ui = useUiStore();

  useEffect(() => {
    document.title = `${titleOf(route)} · Wactorz`;
  }, [route]);

  const navKeys = Object.fromEntries(
    NAV.flatMap((n, i) => {
      const combo = navHotkey(i);
      return combo ? [[combo, () => navigate(n.route)] as const] : [];
    }),
  );
  useHotkeys({
    'mod+k': (e) => {
      e.preventDefault();
      if (route.view !== 'agents') navigate({ view: 'agents' });
      // After the view has rendered.
      setTimeout(() => ui.requestFocus('agent-search'), 0);
    },
    'mod+j': (e) => {
      e.preventDefault();
      if (route.view !== 'chat') navigate({ view: 'chat' });
      setTimeout(() => ui.requestFocus('chat-input'), 0);
    },
    'mod+s': (e) => {
      // Never "save page as"; in the editor it deploys.
      e.preventDefault();
      if (route.view === 'editor') ui.requestDeploy();
    },
    ...navKeys,
    '?': () => setHelp(true),
    escape: () => setHelp(false),
  });

  return (
    <div className="app">
      <Sidebar route={route} />
      <main className="main">
        <header className="topbar">
          <h1 data-testid="view-title">{titleOf(route)}</h1>
          <span className="spacer" />
          <RestoreIndicator />
          <ConnectionBadge />
        </header>
        <div className={`content ${FILL_VIEWS.includes(route.view) ? 'fill' : ''}`} data-testid={`view-${route.view}`}>
          <View route={route} />
        </div>
      </main>
      <Toasts />
      <TokenPrompt />
      {help ? <ShortcutHelp onClose={() => setHelp(false)} /> : null}
    </div>
  );
}
