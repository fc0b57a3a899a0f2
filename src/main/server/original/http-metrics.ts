/**
 * The HTTP and process families of `/metrics`, as the original's PrometheusMonitor exposes them:
 * `wactorz_http_requests_total{method,route}`, `wactorz_http_responses_total{method,route,status}`,
 * `wactorz_http_request_duration_seconds{method,route}` (a histogram), and the `process_*`
 * families (prom-client's default collectors; Node adds its `nodejs_*` where Python had
 * `python_info`). One HttpMetrics per hub, shared by its REST and dashboard servers; the process
 * collectors once per process, because they describe the process and start observers that would
 * pile up with every hub a test starts.
 *
 * `route` is the route's pattern (`/actors/{actor_id}`), never the raw path: a client requesting
 * random paths must not grow the series without bound, so requests no route matched count as
 * `route="unmatched"`.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** fastify's `/actors/:actor_id` → the original's `/actors/{actor_id}`. */
export function routeLabel(pattern: string | undefined): string {
  if (!pattern) return 'unmatched';
  return pattern.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}');
}

export class HttpMetrics {
  private readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'wactorz_http_requests_total', help: 'HTTP requests received by the REST interface and the dashboard server.', labelNames: ['method', 'route'], registers: [this.registry] });
  private readonly responses = new Counter({ name: 'wactorz_http_responses_total', help: 'HTTP responses returned by the REST interface and the dashboard server.', labelNames: ['method', 'route', 'status'], registers: [this.registry] });
  private readonly duration = new Histogram({ name: 'wactorz_http_request_duration_seconds', help: 'HTTP request duration.', labelNames: ['method', 'route'], registers: [this.registry] });

  /** One request that got its response (called from the servers' onResponse hook). */
  observe(method: string, routePattern: string | undefined, status: number, elapsedMs: number): void {
    const route = routeLabel(routePattern);
    this.requests.inc({ method, route });
    this.responses.inc({ method, route, status: String(status) });
    this.duration.observe({ method, route }, elapsedMs / 1000);
  }

  /** The HTTP families and the process's, in the text format (0.0.4). */
  async render(): Promise<string> {
    return (await this.registry.metrics()) + (await processMetrics().metrics());
  }
}
