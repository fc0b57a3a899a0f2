/**
 * Home Assistant's REST API (https://developers.home-assistant.io/docs/api/rest/): states,
 * services, service calls and the automation config endpoints the frontend uses. Every
 * response is validated; every failure becomes an HaError that says what to do.
 */
import type { z } from 'zod';
import type { HaConfig } from './ha-config.js';
import { HaError, authErrorMessage, unreachableMessage } from './ha-error.js';
import {
  type HaAutomationConfig,
  type HaServiceDomains,
  type HaState,
  haAutomationConfigSchema,
  haOkSchema,
  haServiceCallRestResultSchema,
  haServiceDomainsSchema,
  haStateSchema,
  haStatesSchema,
} from './ha-schemas.js';

export interface HaRestClientOptions {
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

type Method = 'GET' | 'POST' | 'DELETE';

export class HaRestClient {
  private readonly timeoutMs: number;

  constructor(
    private readonly config: HaConfig,
    opts: HaRestClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  get url(): string {
    return this.config.url;
  }

  /** `GET /api/` — `{message: "API running."}`; a cheap way to check URL and token. */
  async ping(): Promise<void> {
    await this.request('GET', '/api/', undefined, 'the API root');
  }

  async getStates(): Promise<HaState[]> {
    return this.parse(haStatesSchema, await this.request('GET', '/api/states', undefined, 'states'), 'GET /api/states');
  }

  /** One entity's state; HaError `not_found` when HA does not know it. */
  async getState(entityId: string): Promise<HaState> {
    const body = await this.request('GET', `/api/states/${encodeURIComponent(entityId)}`, undefined, `entity ${entityId}`);
    return this.parse(haStateSchema, body, `GET /api/states/${entityId}`);
  }

  async getServices(): Promise<HaServiceDomains> {
    return this.parse(haServiceDomainsSchema, await this.request('GET', '/api/services', undefined, 'services'), 'GET /api/services');
  }

  /** Calls a service; resolves to the states that changed while it ran. */
  async callService(domain: string, service: string, data: Record<string, unknown> = {}): Promise<HaState[]> {
    const path = `/api/services/${encodeURIComponent(domain)}/${encodeURIComponent(service)}`;
    const body = await this.request('POST', path, data, `service ${domain}.${service}`);
    const parsed = this.parse(haServiceCallRestResultSchema, body, `POST ${path}`);
    return Array.isArray(parsed) ? parsed : parsed.changed_states;
  }

  async getAutomationConfig(id: string): Promise<HaAutomationConfig> {
    const path = `/api/config/automation/config/${encodeURIComponent(id)}`;
    return this.parse(haAutomationConfigSchema, await this.request('GET', path, undefined, `automation ${id}`), `GET ${path}`);
  }

  /** Creates or replaces the automation with this id (HA reloads automations afterwards). */
  async saveAutomationConfig(id: string, config: HaAutomationConfig): Promise<void> {
    const path = `/api/config/automation/config/${encodeURIComponent(id)}`;
    this.parse(haOkSchema, await this.request('POST', path, { ...config, id }, `automation ${id}`), `POST ${path}`);
  }

  async deleteAutomationConfig(id: string): Promise<void> {
    const path = `/api/config/automation/config/${encodeURIComponent(id)}`;
    this.parse(haOkSchema, await this.request('DELETE', path, undefined, `automation ${id}`), `DELETE ${path}`);
  }

  private parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
    const r = schema.safeParse(body);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new HaError('bad_response', `Home Assistant sent an unexpected answer to ${what}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`, { body });
    }
    return r.data;
  }

  private async request(method: Method, path: string, body: unknown, what: string): Promise<unknown> {
    const url = `${this.config.url}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.config.token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const name = (e as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new HaError('timeout', `Home Assistant at ${this.config.url} did not answer ${method} ${path} within ${this.timeoutMs} ms`);
      }
      throw new HaError('unreachable', unreachableMessage(this.config.url, e));
    }
    const text = await res.text().catch(() => '');
    let json: unknown = undefined;
    let isJson = false;
    if (text) {
      try {
        json = JSON.parse(text);
        isJson = true;
      } catch {
        // HA answers some errors as plain text ("400: Bad Request").
      }
    }
    if (res.ok) {
      if (!isJson) throw new HaError('bad_response', `Home Assistant answered ${method} ${path} with something that is not JSON: ${text.slice(0, 120)}`);
      return json;
    }
    const haMessage = isJson && json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string' ? (json as { message: string }).message : text.slice(0, 200);
    const detail = { status: res.status, body: isJson ? json : text };
    switch (res.status) {
      case 401:
      case 403:
        throw new HaError('auth', authErrorMessage(this.config.url, `HTTP ${res.status}`), detail);
      case 404:
        throw new HaError('not_found', `Home Assistant does not know ${what}${haMessage ? ` (${haMessage})` : ''}`, detail);
      case 400:
        throw new HaError('bad_request', `Home Assistant refused ${method} ${path}: ${haMessage || 'bad request'}`, detail);
      case 502:
      case 503:
      case 504:
        throw new HaError('unreachable', `Home Assistant at ${this.config.url} is not available (HTTP ${res.status}) — it may be restarting`, detail);
      default:
        throw new HaError('failed', `Home Assistant answered ${method} ${path} with HTTP ${res.status}${haMessage ? `: ${haMessage}` : ''}`, detail);
    }
  }
}
