/**
 * dashboard-load: the dashboard in Debian's Chromium (playwright-core) against a real hub fed 500
 * agents and 1,000 log lines/s over MQTT. Prints the frame-time p95 of the agents and logs views
 * under that load against the same page idle in the same run, and the JS heap. Target: p95 ≤ 20 ms.
 */
import { startTestHub } from '../e2e/support/hub.js';
import { launchDashboardBrowser, requireChromium } from '../e2e/support/browser.js';
import { measureDashboardLoad } from '../e2e/support/dashboard-load.js';

if (!requireChromium()) process.exit(0);
const hub = await startTestHub();
const browser = await launchDashboardBrowser();
// tsx compiles with esbuild's keepNames, which wraps functions in `__name(…)`; the functions the
// measurement sends into the page need that helper there too.
await browser.page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
try {
  const f = await measureDashboardLoad(hub, browser.page, { agents: 500, logsPerSecond: 1000, durationMs: 5_000 });
  const ratio = (v: number) => (v / f.idle.p95).toFixed(2);
  console.log(`BENCH dashboard-load-agents ${f.agentsView.p95.toFixed(1)} ms baseline=${f.idle.p95.toFixed(1)} ratio=${ratio(f.agentsView.p95)}`);
  console.log(`BENCH dashboard-load-logs ${f.logsView.p95.toFixed(1)} ms baseline=${f.idle.p95.toFixed(1)} ratio=${ratio(f.logsView.p95)}`);
  console.log(`BENCH dashboard-load-heap ${f.heapMb.toFixed(1)} MB baseline=${f.heapMb.toFixed(1)} ratio=1.00`);
  console.error(`(log lines actually sent: ${f.logLinesSent})`);
} finally {
  await browser.close();
  await hub.stop();
}
