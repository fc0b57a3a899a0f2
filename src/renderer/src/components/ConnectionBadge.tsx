import { overallState, useConnectionStore } from '../stores/connection-store.js';

const LABEL = {
  connecting: 'Connecting…',
  online: 'Online',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  locked: 'Token needed',
} as const;

/** The hub link at a glance; the title says why when it is not online. */
export function ConnectionBadge() {
  const s = useConnectionStore();
  const state = overallState(s);
  const title = [
    `Live updates (MQTT): ${s.mqtt}${s.busMode === 'inline' ? ' (on the main thread)' : ''}`,
    `REST API: ${s.rest}`,
    s.detail ? `Last message: ${s.detail}` : '',
    s.baseUrl ? `Hub: ${s.baseUrl}` : '',
    s.rejected > 0 ? `${s.rejected} malformed messages ignored` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <span className={`conn ${state}`} title={title} data-testid="connection-state" data-state={state} data-bus={s.busMode ?? undefined} role="status" aria-live="polite">
      <span className="dot" />
      {LABEL[state]}
    </span>
  );
}
