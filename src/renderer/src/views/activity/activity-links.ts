/** Where an activity-feed event links to: what it is about (an agent's detail, the nodes, the catalog's installs). */
import type { FeedEvent } from '../../../../shared/feed.js';

export function feedLink(e: FeedEvent): string | null {
  switch (e.subject.type) {
    case 'agent':
      return `#/agents/${encodeURIComponent(e.subject.name)}`;
    case 'node':
      return '#/nodes';
    case 'package':
      return '#/catalog';
    case 'pipeline':
      return '#/pipelines';
    case 'approval':
      return null; // the approvals view links itself when it exists
  }
}
