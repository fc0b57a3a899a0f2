/** Hash routes (#/agents/foo): they work from any origin, a file:// page and the Electron window alike. */

export type Route =
  | { view: 'agents' }
  | { view: 'agent'; name: string }
  | { view: 'chat' }
  | { view: 'logs' }
  | { view: 'editor'; name: string | null }
  | { view: 'catalog' }
  | { view: 'settings' }
  | { view: 'alerts' }
  | { view: 'home' }
  | { view: 'pipelines' }
  | { view: 'nodes' }
  | { view: 'approvals' }
  | { view: 'graph' }
  | { view: 'activity' };

export type ViewName = Route['view'];

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  const [head, ...rest] = path.split('/').filter((p) => p !== '');
  const tail = rest.length > 0 ? decodeURIComponent(rest.join('/')) : null;
  switch (head) {
    case 'agents':
      return tail ? { view: 'agent', name: tail } : { view: 'agents' };
    case 'chat':
      return { view: 'chat' };
    case 'logs':
      return { view: 'logs' };
    case 'editor':
      return { view: 'editor', name: tail };
    case 'catalog':
      return { view: 'catalog' };
    case 'settings':
      return { view: 'settings' };
    case 'alerts':
      return { view: 'alerts' };
    case 'home':
      return { view: 'home' };
    case 'pipelines':
      return { view: 'pipelines' };
    case 'nodes':
      return { view: 'nodes' };
    case 'approvals':
      return { view: 'approvals' };
    case 'graph':
      return { view: 'graph' };
    case 'activity':
      return { view: 'activity' };
    default:
      return { view: 'agents' };
  }
}

export function routeHref(r: Route): string {
  switch (r.view) {
    case 'agent':
      return `#/agents/${encodeURIComponent(r.name)}`;
    case 'editor':
      return r.name ? `#/editor/${encodeURIComponent(r.name)}` : '#/editor';
    default:
      return `#/${r.view}`;
  }
}
