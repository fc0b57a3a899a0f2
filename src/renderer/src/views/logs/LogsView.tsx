import { LogsPanel } from './LogsPanel.js';

/** Every agent's log lines in one tail. */
export function LogsView() {
  return <LogsPanel showAgent />;
}
