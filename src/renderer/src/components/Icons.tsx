/** Small inline line icons (no icon font, no network). */
import type { ReactElement } from 'react';

const paths: Record<string, ReactElement> = {
  agents: (
    <>
      <circle cx="6" cy="7" r="2.5" />
      <circle cx="14" cy="7" r="2.5" />
      <circle cx="10" cy="14.5" r="2.5" />
      <path d="M7.5 9l1.5 3.5M12.5 9L11 12.5M8.5 7h3" />
    </>
  ),
  chat: <path d="M3.5 5.5a2 2 0 012-2h9a2 2 0 012 2v6a2 2 0 01-2 2H9l-3.5 3v-3h0a2 2 0 01-2-2z" />,
  logs: <path d="M4 5h12M4 8.5h12M4 12h8M4 15.5h10" />,
  editor: <path d="M7.5 6L3.5 10l4 4M12.5 6l4 4-4 4M11 4.5l-2 11" />,
  catalog: (
    <>
      <rect x="3.5" y="3.5" width="5" height="5" rx="1" />
      <rect x="11.5" y="3.5" width="5" height="5" rx="1" />
      <rect x="3.5" y="11.5" width="5" height="5" rx="1" />
      <rect x="11.5" y="11.5" width="5" height="5" rx="1" />
    </>
  ),
  home: <path d="M3.5 9.5L10 4l6.5 5.5M5.5 8v8h3.5v-4.5h2V16h3.5V8" />,
  pipelines: (
    <>
      <circle cx="4.5" cy="10" r="2" />
      <circle cx="15.5" cy="5" r="2" />
      <circle cx="15.5" cy="15" r="2" />
      <path d="M6.5 10h3M9.5 10c2 0 2-5 4-5M9.5 10c2 0 2 5 4 5" />
    </>
  ),
  nodes: (
    <>
      <rect x="3.5" y="3.5" width="13" height="5" rx="1" />
      <rect x="3.5" y="11.5" width="13" height="5" rx="1" />
      <path d="M6 6h.01M6 14h.01M9 6h5M9 14h5" />
    </>
  ),
  approvals: <path d="M10 2.8l6 2.4v4.3c0 3.6-2.5 6.4-6 7.7-3.5-1.3-6-4.1-6-7.7V5.2l6-2.4zM7.2 10l2 2 3.8-4" />,
  graph: (
    <>
      <circle cx="4.5" cy="5" r="2" />
      <circle cx="4.5" cy="15" r="2" />
      <circle cx="15.5" cy="10" r="2" />
      <path d="M6.4 5.6l7.2 3.6M6.4 14.4l7.2-3.6M4.5 7v6" />
    </>
  ),
  activity: <path d="M2.5 10h3l2-5.5 4 11 2-5.5h4" />,
  alerts: <path d="M10 3.5a4.5 4.5 0 00-4.5 4.5v3L4 13.5h12L14.5 11V8A4.5 4.5 0 0010 3.5zM8.3 16a1.8 1.8 0 003.4 0" />,
  settings: (
    <>
      <circle cx="10" cy="10" r="2.5" />
      <path d="M10 2.8v2M10 15.2v2M17.2 10h-2M4.8 10h-2M15.1 4.9l-1.4 1.4M6.3 13.7l-1.4 1.4M15.1 15.1l-1.4-1.4M6.3 6.3L4.9 4.9" />
    </>
  ),
};

export type IconName = keyof typeof paths;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      {paths[name]}
    </svg>
  );
}
