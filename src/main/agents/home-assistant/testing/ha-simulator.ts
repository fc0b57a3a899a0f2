/**
 * A Home Assistant simulator for tests: a real HTTP + WebSocket server on an ephemeral port that
 * speaks HA's documented protocols.
 *
 * REST (https://developers.home-assistant.io/docs/api/rest/): Bearer token on every request
 * (401 otherwise); GET /api/, /api/states, /api/states/<id> (404 `{message}`), POST /api/states/<id>,
 * GET /api/services, POST /api/services/<domain>/<service> (→ changed states; 400 for an unknown
 * service), GET/POST/DELETE /api/config/automation/config/<id>.
 *
 * WebSocket (https://developers.home-assistant.io/docs/api/websocket/) at /api/websocket:
 * auth_required → auth → auth_ok | auth_invalid (then closed); commands carry increasing ids and
 * get `{id, type:'result', success, result | error:{code, message}}`; subscriptions get
 * `{id, type:'event', event}`. Commands: subscribe_events, unsubscribe_events, get_states,
 * get_services, get_config, call_service, ping, supported_features, config/area_registry/list,
 * config/device_registry/list, config/entity_registry/list.
 *
 * Test controls: setState (fires state_changed with old/new state objects), removeEntity,
 * registry edits (fire *_registry_updated), restart (drops every socket, refuses connections for
 * a while, comes back on the same port), malformed frames and events, and a record of every
 * service call. Turning lights/switches on/off changes their state like HA would.
 */
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { type SimArea, type SimDevice, type SimEntity, type SimHome, defaultHome } from './ha-fixtures.js';

export const SIM_HA_VERSION = '2025.1.4';

export interface SimState {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_updated: string;
  last_reported: string;
  context: { id: string; parent_id: string | null; user_id: string | null };
}

export interface RecordedServiceCall {
  domain: string;
  service: string;
  /** service_data (REST: the body) without the targeting keys. */
  data: Record<string, unknown>;
  /** The entities the call resolved to. */
  entityIds: string[];
  via: 'rest' | 'websocket';
  at: number;
}

interface Client {
  ws: WebSocket;
  authed: boolean;
  lastId: number;
  /** subscription id → event type (undefined = all events). */
  subs: Map<number, string | undefined>;
}

interface EntityRegistryEntry {
  entity_id: string;
  id: string;
  unique_id: string;
  name: string | null;
  original_name: string | null;
  device_id: string | null;
  area_id: string | null;
  platform: string;
  disabled_by: null;
  hidden_by: null;
  entity_category: null;
  icon: null;
  has_entity_name: boolean;
  labels: string[];
}

interface ServiceDef {
  name: string;
  description: string;
  fields: Record<string, { name: string; description: string; required?: boolean; example?: unknown }>;
}

const ON_OFF_DOMAINS = new Set(['light', 'switch', 'fan', 'input_boolean', 'automation']);

const ctx = (): SimState['context'] => ({ id: randomBytes(13).toString('hex').toUpperCase(), parent_id: null, user_id: null });
const nowIso = (): string => new Date().toISOString();
const clone = <T>(v: T): T => structuredClone(v);

export interface HaSimulatorOptions {
  /** The long-lived token the simulator accepts (default 'sim-token'). */
  token?: string;
  home?: SimHome;
}

export class HaSimulator {
  /** The accepted token; a test may change it (a revoked token) and restart. */
  token: string;
  /** Every service call, in order. */
  readonly serviceCalls: RecordedServiceCall[] = [];
  /** How many WebSocket logins were attempted / refused (to check there is no retry storm). */
  authAttempts = 0;
  authFailures = 0;
  /** How many WebSocket connections were opened (including refused ones). */
  connectionsOpened = 0;
  /** HTTP requests by `METHOD path`, for assertions. */
  readonly requests: string[] = [];

  private readonly states = new Map<string, SimState>();
  private readonly areas = new Map<string, SimArea & { aliases: string[] }>();
  private readonly devices = new Map<string, SimDevice>();
  private readonly entityRegistry = new Map<string, EntityRegistryEntry>();
  private readonly automations = new Map<string, Record<string, unknown>>();
  private readonly services = new Map<string, Map<string, ServiceDef>>();
  private readonly clients = new Set<Client>();
  private readonly malformedRest = new Set<string>();
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private _port = 0;
  private callWaiters: Array<{ pred: (c: RecordedServiceCall) => boolean; resolve: (c: RecordedServiceCall) => void }> = [];

  constructor(opts: HaSimulatorOptions = {}) {
    this.token = opts.token ?? 'sim-token';
    const home = opts.home ?? defaultHome();
    for (const a of home.areas) this.areas.set(a.area_id, { ...a, aliases: a.aliases ?? [] });
    for (const d of home.devices) this.devices.set(d.id, { name_by_user: null, ...d });
    for (const e of home.entities) this.addEntityQuiet(e);
    this.registerBuiltinServices();
    for (const [domain, list] of Object.entries(home.services ?? {})) {
      for (const s of list) this.addService(domain, s);
    }
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────

  /** Starts listening on 127.0.0.1 (port 0 → an ephemeral port). */
  async start(port = 0): Promise<this> {
    const server = createServer((req, res) => void this.onHttp(req, res));
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      if (req.url?.split('?')[0] !== '/api/websocket') {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.wss = wss;
    this._port = (server.address() as AddressInfo).port;
    return this;
  }

  get port(): number {
    return this._port;
  }
  get url(): string {
    return `http://127.0.0.1:${this._port}`;
  }
  /** WebSocket clients that have logged in. */
  get authedClients(): number {
    return [...this.clients].filter((c) => c.authed).length;
  }
  /** Active state_changed subscriptions across all clients. */
  subscriptionCount(eventType = 'state_changed'): number {
    let n = 0;
    for (const c of this.clients) for (const t of c.subs.values()) if (t === undefined || t === eventType) n++;
    return n;
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    this.wss?.close();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }

  /**
   * Simulates an HA restart: every WebSocket and HTTP connection is dropped, the port refuses
   * connections for `downMs`, then HA listens again on the same port with its state intact.
   * `whileDown` runs in the gap (e.g. change a state nobody will hear about).
   */
  async restart(downMs = 300, whileDown?: () => void | Promise<void>): Promise<void> {
    const port = this._port;
    await this.stop();
    await whileDown?.();
    await new Promise((r) => setTimeout(r, downMs));
    await this.start(port);
  }

  // ── test controls ─────────────────────────────────────────────────────────

  getState(entityId: string): SimState | undefined {
    const s = this.states.get(entityId);
    return s ? clone(s) : undefined;
  }
  listStates(): SimState[] {
    return [...this.states.values()].map(clone);
  }

  /** Sets a state (creating the entity if needed) and fires state_changed like HA does. */
  setState(entityId: string, state: string, attributes?: Record<string, unknown>): SimState {
    const old = this.states.get(entityId);
    const now = nowIso();
    const attrs = attributes ?? old?.attributes ?? {};
    const changed = !old || old.state !== state;
    const next: SimState = {
      entity_id: entityId,
      state,
      attributes: clone(attrs),
      last_changed: changed ? now : old.last_changed,
      last_updated: now,
      last_reported: now,
      context: ctx(),
    };
    this.states.set(entityId, next);
    if (!old || changed || JSON.stringify(old.attributes) !== JSON.stringify(next.attributes)) {
      this.fireEvent('state_changed', { entity_id: entityId, old_state: old ? clone(old) : null, new_state: clone(next) });
    }
    return clone(next);
  }

  /** Removes an entity's state (state_changed with new_state null) and its registry entry. */
  removeEntity(entityId: string): void {
    const old = this.states.get(entityId);
    this.states.delete(entityId);
    if (old) this.fireEvent('state_changed', { entity_id: entityId, old_state: clone(old), new_state: null });
    if (this.entityRegistry.delete(entityId)) this.fireEvent('entity_registry_updated', { action: 'remove', entity_id: entityId });
  }

  /** Adds an entity (state + registry entry) and fires the events HA would. */
  addEntity(e: SimEntity): void {
    if (e.registry) {
      this.entityRegistry.set(e.entity_id, this.registryEntry(e));
      this.fireEvent('entity_registry_updated', { action: 'create', entity_id: e.entity_id });
    }
    this.setState(e.entity_id, e.state, e.attributes ?? {});
  }

  /** Moves an entity to another area (entity registry update). */
  setEntityArea(entityId: string, areaId: string | null): void {
    const entry = this.entityRegistry.get(entityId);
    if (!entry) throw new Error(`no registry entry for ${entityId}`);
    entry.area_id = areaId;
    this.fireEvent('entity_registry_updated', { action: 'update', entity_id: entityId, changes: { area_id: areaId } });
  }

  addArea(area: SimArea): void {
    this.areas.set(area.area_id, { ...area, aliases: area.aliases ?? [] });
    this.fireEvent('area_registry_updated', { action: 'create', area_id: area.area_id });
  }

  renameArea(areaId: string, name: string): void {
    const a = this.areas.get(areaId);
    if (!a) throw new Error(`no area ${areaId}`);
    a.name = name;
    this.fireEvent('area_registry_updated', { action: 'update', area_id: areaId });
  }

  removeArea(areaId: string): void {
    this.areas.delete(areaId);
    this.fireEvent('area_registry_updated', { action: 'remove', area_id: areaId });
    // HA clears the area from devices and entities, announcing each update.
    for (const d of this.devices.values()) {
      if (d.area_id !== areaId) continue;
      d.area_id = null;
      this.fireEvent('device_registry_updated', { action: 'update', device_id: d.id, changes: { area_id: areaId } });
    }
    for (const e of this.entityRegistry.values()) {
      if (e.area_id !== areaId) continue;
      e.area_id = null;
      this.fireEvent('entity_registry_updated', { action: 'update', entity_id: e.entity_id, changes: { area_id: areaId } });
    }
  }

  addDevice(device: SimDevice): void {
    this.devices.set(device.id, { name_by_user: null, ...device });
    this.fireEvent('device_registry_updated', { action: 'create', device_id: device.id });
  }

  setDeviceArea(deviceId: string, areaId: string | null): void {
    const d = this.devices.get(deviceId);
    if (!d) throw new Error(`no device ${deviceId}`);
    d.area_id = areaId;
    this.fireEvent('device_registry_updated', { action: 'update', device_id: deviceId, changes: { area_id: areaId } });
  }

  addService(domain: string, service: string, def?: Partial<ServiceDef>): void {
    let m = this.services.get(domain);
    if (!m) {
      m = new Map();
      this.services.set(domain, m);
    }
    m.set(service, { name: def?.name ?? service.replace(/_/g, ' '), description: def?.description ?? `${domain}.${service}`, fields: def?.fields ?? {} });
  }

  /** Stored automation configs (by id). */
  automationConfig(id: string): Record<string, unknown> | undefined {
    const c = this.automations.get(id);
    return c ? clone(c) : undefined;
  }

  /** Fires any event to the subscribers of its type (and of all events). */
  fireEvent(eventType: string, data: unknown): void {
    const event = { event_type: eventType, data, origin: 'LOCAL', time_fired: nowIso(), context: ctx() };
    for (const c of this.clients) {
      if (!c.authed) continue;
      for (const [id, type] of c.subs) {
        if (type === undefined || type === eventType) this.send(c, { id, type: 'event', event });
      }
    }
  }

  /** Sends a raw text frame to every logged-in client (e.g. not JSON at all). */
  sendRawFrame(text: string): void {
    for (const c of this.clients) if (c.authed && c.ws.readyState === c.ws.OPEN) c.ws.send(text);
  }

  /**
   * A burst of malformed traffic, the kind a buggy proxy or a half-written integration produces:
   * frames that are not JSON, JSON that is not a message, events with no/garbled payload, and a
   * state_changed whose data has the wrong types. Returns how many bad frames were sent per client.
   */
  sendMalformedBurst(): number {
    let n = 0;
    for (const c of this.clients) {
      if (!c.authed) continue;
      n = 0;
      const raw = (t: string): void => {
        c.ws.send(t);
        n++;
      };
      raw('this is not json');
      raw('null');
      raw('42');
      raw('{"no_type": true}');
      raw('[1, "two", null]');
      raw('{"type":"result","id":"not-a-number","success":true}');
      for (const [id, type] of c.subs) {
        if (type !== undefined && type !== 'state_changed') continue;
        raw(JSON.stringify({ id, type: 'event', event: 'garbage' }));
        raw(JSON.stringify({ id, type: 'event', event: { event_type: 'state_changed', data: { entity_id: 12, new_state: 'on' } } }));
        raw(JSON.stringify({ id, type: 'event', event: { event_type: 'state_changed', data: { entity_id: 'light.kitchen', old_state: null, new_state: { state: 'on' } } } }));
      }
    }
    return n;
  }

  /** Makes `GET <path>` answer 200 with a body of the wrong shape (until cleared). */
  malformRest(path: string, on = true): void {
    if (on) this.malformedRest.add(path);
    else this.malformedRest.delete(path);
  }

  /** Resolves with the first recorded (or future) service call matching `pred`. */
  waitForServiceCall(pred: (c: RecordedServiceCall) => boolean, timeoutMs = 10_000): Promise<RecordedServiceCall> {
    const found = this.serviceCalls.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        resolve: (c: RecordedServiceCall) => {
          clearTimeout(timer);
          resolve(c);
        },
      };
      const timer = setTimeout(() => {
        this.callWaiters = this.callWaiters.filter((w) => w !== waiter);
        reject(new Error(`no matching service call within ${timeoutMs} ms; calls so far: ${JSON.stringify(this.serviceCalls.map((c) => `${c.domain}.${c.service} ${c.entityIds.join(',')}`))}`));
      }, timeoutMs);
      this.callWaiters.push(waiter);
    });
  }

  // ── REST ──────────────────────────────────────────────────────────────────

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const path = decodeURIComponent(url.pathname);
    this.requests.push(`${method} ${path}`);
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      // HA answers a missing/invalid token with a plain-text 401.
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('401: Unauthorized');
      return;
    }
    let body: unknown = undefined;
    if (method === 'POST') {
      const text = await readBody(req);
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          json(400, { message: 'Invalid JSON specified.' });
          return;
        }
      }
    }
    if (method === 'GET' && this.malformedRest.has(path)) {
      json(200, { unexpected: 'shape' });
      return;
    }
    let m: RegExpExecArray | null;
    if (path === '/api/' && method === 'GET') return json(200, { message: 'API running.' });
    if (path === '/api/states' && method === 'GET') return json(200, this.listStates());
    if ((m = /^\/api\/states\/([^/]+)$/.exec(path))) {
      const id = m[1]!;
      if (method === 'GET') {
        const s = this.states.get(id);
        return s ? json(200, s) : json(404, { message: 'Entity not found.' });
      }
      if (method === 'POST') {
        const b = body as { state?: unknown; attributes?: unknown } | undefined;
        if (!b || typeof b.state !== 'string') return json(400, { message: 'No state specified.' });
        const existed = this.states.has(id);
        const s = this.setState(id, b.state, (b.attributes as Record<string, unknown>) ?? undefined);
        return json(existed ? 200 : 201, s);
      }
    }
    if (path === '/api/services' && method === 'GET') {
      return json(200, [...this.services].map(([domain, svcs]) => ({ domain, services: Object.fromEntries(svcs) })));
    }
    if ((m = /^\/api\/services\/([^/]+)\/([^/]+)$/.exec(path)) && method === 'POST') {
      const data = (body ?? {}) as Record<string, unknown>;
      if (typeof data !== 'object' || Array.isArray(data)) return json(400, { message: 'Data should be a JSON object.' });
      const r = this.callService(m[1]!, m[2]!, data, undefined, 'rest');
      if (!r.ok) return json(400, { message: r.message });
      return json(200, r.changed);
    }
    if ((m = /^\/api\/config\/automation\/config\/([^/]+)$/.exec(path))) {
      const id = m[1]!;
      if (method === 'GET') {
        const c = this.automations.get(id);
        return c ? json(200, c) : json(404, { message: 'Resource not found' });
      }
      if (method === 'POST') {
        const problem = validateAutomation(body);
        if (problem) return json(400, { message: `Message malformed: ${problem}` });
        this.saveAutomation(id, body as Record<string, unknown>);
        return json(200, { result: 'ok' });
      }
      if (method === 'DELETE') {
        if (!this.automations.has(id)) return json(404, { message: 'Resource not found' });
        this.deleteAutomation(id);
        return json(200, { result: 'ok' });
      }
    }
    json(404, { message: 'Not found' });
  }

  private saveAutomation(id: string, config: Record<string, unknown>): void {
    this.automations.set(id, { ...clone(config), id });
    const alias = String(config.alias ?? id);
    const existing = [...this.states.values()].find((s) => s.entity_id.startsWith('automation.') && s.attributes.id === id);
    const entityId = existing?.entity_id ?? `automation.${slugify(alias)}`;
    this.setState(entityId, existing?.state ?? 'on', { id, friendly_name: alias, last_triggered: null, mode: config.mode ?? 'single' });
  }

  private deleteAutomation(id: string): void {
    this.automations.delete(id);
    const s = [...this.states.values()].find((st) => st.entity_id.startsWith('automation.') && st.attributes.id === id);
    if (s) this.removeEntity(s.entity_id);
  }

  // ── WebSocket ─────────────────────────────────────────────────────────────

  private onSocket(ws: WebSocket): void {
    this.connectionsOpened++;
    const client: Client = { ws, authed: false, lastId: 0, subs: new Map() };
    this.clients.add(client);
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => {});
    this.send(client, { type: 'auth_required', ha_version: SIM_HA_VERSION });
    ws.on('message', (raw) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(raw.toString()) as Record<string, unknown>;
      } catch {
        if (!client.authed) ws.close();
        return;
      }
      if (!client.authed) return this.onAuthPhase(client, msg);
      this.onCommand(client, msg);
    });
  }

  private onAuthPhase(client: Client, msg: Record<string, unknown>): void {
    if (msg.type !== 'auth') {
      this.send(client, { type: 'auth_invalid', message: 'Auth message incorrectly formatted: expected auth' });
      client.ws.close();
      return;
    }
    this.authAttempts++;
    if (msg.access_token !== this.token) {
      this.authFailures++;
      this.send(client, { type: 'auth_invalid', message: 'Invalid access token or password' });
      client.ws.close();
      return;
    }
    client.authed = true;
    this.send(client, { type: 'auth_ok', ha_version: SIM_HA_VERSION });
  }

  private onCommand(client: Client, msg: Record<string, unknown>): void {
    const id = msg.id;
    const type = msg.type;
    if (typeof id !== 'number' || !Number.isInteger(id) || typeof type !== 'string') {
      this.send(client, { id: typeof id === 'number' ? id : null, type: 'result', success: false, error: { code: 'invalid_format', message: "Message incorrectly formatted: required key not provided @ data['id']" } });
      return;
    }
    const ok = (result: unknown): void => this.send(client, { id, type: 'result', success: true, result });
    const err = (code: string, message: string): void => this.send(client, { id, type: 'result', success: false, error: { code, message } });
    if (id <= client.lastId) return err('id_reuse', 'Identifier values have to increase.');
    client.lastId = id;
    switch (type) {
      case 'ping':
        return this.send(client, { id, type: 'pong' });
      case 'supported_features':
        return ok(null);
      case 'subscribe_events': {
        const et = msg.event_type;
        if (et !== undefined && typeof et !== 'string') return err('invalid_format', 'event_type must be a string');
        client.subs.set(id, et);
        return ok(null);
      }
      case 'unsubscribe_events': {
        const sub = msg.subscription;
        if (typeof sub !== 'number' || !client.subs.has(sub)) return err('not_found', 'Subscription not found.');
        client.subs.delete(sub);
        return ok(null);
      }
      case 'get_states':
        return ok(this.listStates());
      case 'get_config':
        return ok({ location_name: 'Simulated Home', version: SIM_HA_VERSION, time_zone: 'UTC', unit_system: { temperature: '°C' }, components: [...this.services.keys()], state: 'RUNNING' });
      case 'get_services': {
        const out: Record<string, Record<string, ServiceDef>> = {};
        for (const [d, svcs] of this.services) out[d] = Object.fromEntries(svcs);
        return ok(out);
      }
      case 'call_service': {
        const { domain, service } = msg;
        if (typeof domain !== 'string' || typeof service !== 'string') return err('invalid_format', 'domain and service are required');
        const data = (msg.service_data ?? {}) as Record<string, unknown>;
        const target = msg.target as Record<string, unknown> | undefined;
        if (typeof data !== 'object' || Array.isArray(data)) return err('invalid_format', 'service_data must be a dict');
        const r = this.callService(domain, service, data, target, 'websocket');
        if (!r.ok) return err(r.code, r.message);
        return ok({ context: ctx(), response: null });
      }
      case 'config/area_registry/list':
        return ok([...this.areas.values()].map((a) => ({ area_id: a.area_id, name: a.name, aliases: a.aliases, floor_id: null, icon: null, picture: null, labels: [], humidity_entity_id: null, temperature_entity_id: null })));
      case 'config/device_registry/list':
        return ok([...this.devices.values()].map((d) => ({ id: d.id, name: d.name, name_by_user: d.name_by_user ?? null, area_id: d.area_id, manufacturer: d.manufacturer ?? null, model: d.model ?? null, disabled_by: null, via_device_id: null, entry_type: null, config_entries: [], identifiers: [], connections: [], labels: [] })));
      case 'config/entity_registry/list':
        return ok([...this.entityRegistry.values()].map(clone));
      default:
        return err('unknown_command', 'Unknown command.');
    }
  }

  private send(client: Client, msg: unknown): void {
    if (client.ws.readyState === client.ws.OPEN) client.ws.send(JSON.stringify(msg));
  }

  // ── services ──────────────────────────────────────────────────────────────

  private registerBuiltinServices(): void {
    const entityField = { entity_id: { name: 'Entity', description: 'Entities to act on' } };
    for (const d of ['light', 'switch', 'fan', 'input_boolean', 'homeassistant']) {
      for (const s of ['turn_on', 'turn_off', 'toggle']) this.addService(d, s, { fields: { ...entityField } });
    }
    this.addService('light', 'turn_on', {
      description: 'Turns on one or more lights and adjusts their properties.',
      fields: { ...entityField, brightness: { name: 'Brightness', description: '0–255', example: 120 }, rgb_color: { name: 'Color', description: '[r, g, b]', example: [255, 100, 100] }, color_name: { name: 'Color name', description: 'A CSS color name', example: 'red' } },
    });
    this.addService('lock', 'lock', { fields: { ...entityField } });
    this.addService('lock', 'unlock', { fields: { ...entityField } });
    for (const s of ['trigger', 'turn_on', 'turn_off', 'reload']) this.addService('automation', s, { fields: { ...entityField } });
    this.addService('camera', 'snapshot', { fields: { ...entityField, filename: { name: 'Filename', description: 'Where to save', required: true } } });
    this.addService('scene', 'turn_on', { fields: { ...entityField } });
  }

  private resolveTargets(data: Record<string, unknown>, target: Record<string, unknown> | undefined): string[] | string {
    const ids = new Set<string>();
    const list = (v: unknown, key: string): string[] | string => {
      if (v === undefined || v === null) return [];
      if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter(Boolean);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
      return `expected str for dictionary value @ data['${key}']`;
    };
    for (const src of [data, target ?? {}]) {
      const e = list(src.entity_id, 'entity_id');
      if (typeof e === 'string') return e;
      for (const id of e) {
        if (id === 'all') for (const s of this.states.keys()) ids.add(s);
        else ids.add(id);
      }
      const areaIds = list(src.area_id, 'area_id');
      if (typeof areaIds === 'string') return areaIds;
      for (const a of areaIds) for (const id of this.entitiesInArea(a)) ids.add(id);
      const devIds = list(src.device_id, 'device_id');
      if (typeof devIds === 'string') return devIds;
      for (const d of devIds) for (const en of this.entityRegistry.values()) if (en.device_id === d) ids.add(en.entity_id);
    }
    return [...ids];
  }

  private entitiesInArea(areaId: string): string[] {
    const out: string[] = [];
    for (const en of this.entityRegistry.values()) {
      const area = en.area_id ?? (en.device_id ? this.devices.get(en.device_id)?.area_id : null);
      if (area === areaId) out.push(en.entity_id);
    }
    return out;
  }

  private callService(
    domain: string,
    service: string,
    rawData: Record<string, unknown>,
    target: Record<string, unknown> | undefined,
    via: RecordedServiceCall['via'],
  ): { ok: true; changed: SimState[] } | { ok: false; code: string; message: string } {
    if (!this.services.get(domain)?.has(service)) return { ok: false, code: 'not_found', message: `Service ${domain}.${service} not found.` };
    const targets = this.resolveTargets(rawData, target);
    if (typeof targets === 'string') return { ok: false, code: 'invalid_format', message: targets };
    const data = { ...rawData };
    delete data.entity_id;
    delete data.area_id;
    delete data.device_id;
    const call: RecordedServiceCall = { domain, service, data: clone(data), entityIds: targets, via, at: Date.now() };
    this.serviceCalls.push(call);
    for (const w of [...this.callWaiters]) {
      if (w.pred(call)) {
        this.callWaiters = this.callWaiters.filter((x) => x !== w);
        w.resolve(call);
      }
    }
    const changed: SimState[] = [];
    for (const id of targets) {
      const cur = this.states.get(id);
      if (!cur) continue; // HA ignores (and logs) targets that do not exist.
      const d = id.slice(0, id.indexOf('.'));
      if (domain !== 'homeassistant' && d !== domain) continue;
      const next = nextState(d, service, cur, data);
      if (next) changed.push(this.setState(id, next.state, next.attributes));
    }
    return { ok: true, changed };
  }

  private addEntityQuiet(e: SimEntity): void {
    const now = nowIso();
    this.states.set(e.entity_id, { entity_id: e.entity_id, state: e.state, attributes: clone(e.attributes ?? {}), last_changed: now, last_updated: now, last_reported: now, context: ctx() });
    if (e.registry) this.entityRegistry.set(e.entity_id, this.registryEntry(e));
  }

  private registryEntry(e: SimEntity): EntityRegistryEntry {
    const r = e.registry ?? {};
    return {
      entity_id: e.entity_id,
      id: randomBytes(16).toString('hex'),
      unique_id: `${e.entity_id}-uid`,
      name: r.name ?? null,
      original_name: r.original_name ?? null,
      device_id: r.device_id ?? null,
      area_id: r.area_id ?? null,
      platform: r.platform ?? 'demo',
      disabled_by: null,
      hidden_by: null,
      entity_category: null,
      icon: null,
      has_entity_name: false,
      labels: [],
    };
  }
}

/** What a service does to one entity's state (undefined: no state change, e.g. notify). */
function nextState(entityDomain: string, service: string, cur: SimState, data: Record<string, unknown>): { state: string; attributes: Record<string, unknown> } | undefined {
  const attrs = { ...cur.attributes };
  if (entityDomain === 'lock') {
    if (service === 'lock') return { state: 'locked', attributes: attrs };
    if (service === 'unlock') return { state: 'unlocked', attributes: attrs };
    return undefined;
  }
  if (!ON_OFF_DOMAINS.has(entityDomain)) return undefined;
  let on: boolean;
  if (service === 'turn_on') on = true;
  else if (service === 'turn_off') on = false;
  else if (service === 'toggle') on = cur.state !== 'on';
  else return undefined;
  if (entityDomain === 'light') {
    if (on) {
      for (const k of ['brightness', 'rgb_color', 'color_name', 'color_temp_kelvin']) if (k in data) attrs[k] = data[k];
      if (attrs.brightness === undefined) attrs.brightness = 255;
    } else {
      delete attrs.brightness;
    }
  }
  return { state: on ? 'on' : 'off', attributes: attrs };
}

/** Mirrors HA's config validation closely enough: an alias-less config is fine, but triggers and actions are required. */
function validateAutomation(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'expected a dictionary';
  const b = body as Record<string, unknown>;
  if (b.trigger === undefined && b.triggers === undefined) return "required key not provided @ data['triggers']";
  if (b.action === undefined && b.actions === undefined) return "required key not provided @ data['actions']";
  return undefined;
}

function slugify(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'unnamed';
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts a simulator with the default home; remember to `await sim.stop()`. */
export async function startHaSimulator(opts: HaSimulatorOptions = {}): Promise<HaSimulator> {
  return new HaSimulator(opts).start();
}
