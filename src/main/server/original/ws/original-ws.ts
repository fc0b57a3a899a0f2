/**
 * `/ws` on the dashboard port: the original monitor's WebSocket (frames in
 * src/shared/original-ws.ts), so the original's own dashboard works against this hub — its state,
 * its card buttons (Pause, Resume, Stop, Delete) and its chat.
 *
 * - On connect: `full_snapshot`, then `config` with `chat_mode: "direct_ws"` (chat comes here, not
 *   over `io/chat`). Then a `patch` whenever the view changes (monitor-view.ts), coalesced to one
 *   per `patchIntervalMs` (the original sent one per MQTT message — with a thousand agents that is
 *   a snapshot per heartbeat); a client whose socket is backed up skips patches (the next carries
 *   the whole state again), never a `delete_agent` or a chat frame.
 * - `command` runs on the actor (protected ones refuse; the refusal comes back as an `error`
 *   frame — the original published it and let the actor ignore it), then every client gets the
 *   new state: `patch`, or `delete_agent` after a delete.
 * - `chat` runs one turn with main (chat-turn.ts), a few at a time per connection.
 * - `reset` goes to every client after POST /api/reset (reset(): the route calls it).
 * - A bad frame gets an `error` frame; the connection stays open.
 *
 * Security is the upgrade's (the request policy's Host and Origin rules and the access token, as
 * for `/mqtt`; see server/upgrade-guard.ts). A connection opened with the dashboard token closes
 * when that token is rotated away.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseOriginalClientFrame, type MonitorEvent, type OriginalServerFrame, type OriginalWsCommand } from '../../../../shared/original-ws.js';
import type { Bus } from '../../../core/bus.js';
import type { Logger } from '../../../base/logger.js';
import type { AccessTokens } from '../../access-token.js';
import { presentedToken } from '../../access-token.js';
import type { HubApi } from '../../hub-api.js';
import type { UpgradeVerdict } from '../../upgrade-guard.js';
import { MonitorView } from './monitor-view.js';
import { runChatTurn } from './chat-turn.js';

export interface OriginalWsDeps {
  bus: Bus;
  /** The hub's actor list and commands (read at each use: the composition root builds it after the endpoints). */
  hub: () => Pick<HubApi, 'listAgents' | 'command'>;
  /** The hub's LLM spend, deleted agents included (`total_cost_usd`). */
  totalCostUsd: () => number;
  /** One chat turn with main as the `/ws` interface (main posts no copy on MQTT: this connection shows it). */
  chat: (text: string, onChunk: (chunk: string) => void) => Promise<{ agent: string; reply: string }>;
  log: Logger;
}

export interface OriginalWsOptions {
  /** Default '/ws'. */
  path?: string;
  /** The upgrade check (server/network-edges.ts `tokenUpgrade`). */
  authorize: (req: IncomingMessage) => UpgradeVerdict;
  /** Connections that used a token close when it stops being accepted (rotation). */
  tokens?: Pick<AccessTokens, 'list' | 'onRotate'>;
  /** At most one coalesced `patch` per this many ms (default 250). */
  patchIntervalMs?: number;
  /** Default 100. */
  maxClients?: number;
  /** Chat turns one connection may have running at once (default 4). */
  maxTurns?: number;
  /** Largest frame accepted, in bytes (default 1 MiB). */
  maxPayload?: number;
}

export interface OriginalWs {
  readonly view: MonitorView;
  readonly clientCount: number;
  /**
   * After POST /api/reset: without an agent, the scopes that touch what the view shows (chat,
   * metrics, logs, all) empty its feed and alerts, as the original did; every client gets `reset`.
   */
  reset(scope: string, agent: string | null): void;
  close(): void;
}

/** Past this many bytes queued on a socket, patches to it are skipped. */
const BACKED_UP_BYTES = 1024 * 1024;
const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };

function refuse(socket: Duplex, status: number, reason = ''): void {
  socket.on('error', () => {});
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Refused'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
}

function pathOf(req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

interface Client {
  ws: WebSocket;
  token: string | undefined;
  turns: number;
}

export function attachOriginalWs(server: HttpServer, deps: OriginalWsDeps, opts: OriginalWsOptions): OriginalWs {
  const path = opts.path ?? '/ws';
  const maxClients = opts.maxClients ?? 100;
  const maxTurns = opts.maxTurns ?? 4;
  const interval = opts.patchIntervalMs ?? 250;
  const view = new MonitorView(deps.bus, { agents: () => deps.hub().listAgents(), totalCostUsd: deps.totalCostUsd });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: opts.maxPayload ?? 1024 * 1024 });
  const clients = new Set<Client>();

  const send = (c: Client, frame: OriginalServerFrame): void => {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(frame));
  };
  const broadcast = (frame: OriginalServerFrame, skipBackedUp: boolean): void => {
    if (clients.size === 0) return;
    const text = JSON.stringify(frame);
    for (const c of clients) {
      if (c.ws.readyState !== c.ws.OPEN || (skipBackedUp && c.ws.bufferedAmount > BACKED_UP_BYTES)) continue;
      c.ws.send(text);
    }
  };

  // Coalesced patches: the latest non-heartbeat event of the window rides along (the original
  // dashboard reads only `state`; the event is for other clients).
  let timer: NodeJS.Timeout | undefined;
  let dirty = false;
  let lastEvent: MonitorEvent | null = null;
  const flush = (): void => {
    timer = undefined;
    if (!dirty) return;
    dirty = false;
    const event = lastEvent;
    lastEvent = null;
    broadcast({ type: 'patch', event, state: view.snapshot() }, true);
  };
  view.onChange((event) => {
    if (clients.size === 0) return;
    dirty = true;
    if (event) lastEvent = event;
    timer ??= setTimeout(flush, interval);
  });
  view.start();

  const runCommand = async (c: Client, agentId: string, command: OriginalWsCommand): Promise<void> => {
    const actor = deps.hub().listAgents().find((a) => a.id === agentId || a.name === agentId);
    if (!actor) return send(c, { type: 'error', error: 'actor not found', detail: `no actor with id or name "${agentId}"` });
    let outcome: { ok: boolean; message: string };
    try {
      outcome = await deps.hub().command(actor.id, command);
    } catch (e) {
      outcome = { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    if (!outcome.ok) return send(c, { type: 'error', error: 'command refused', detail: `${command} ${actor.name}: ${outcome.message}` });
    deps.log('info', `/ws: ${command} ${actor.name}`);
    view.addLog({ type: 'command', agent_id: actor.id, command });
    if (command === 'delete') {
      view.forget(actor.id);
      broadcast({ type: 'delete_agent', agent_id: actor.id, state: view.snapshot() }, false);
    } else {
      broadcast({ type: 'patch', event: null, state: view.snapshot() }, false);
    }
  };

  const onFrame = (c: Client, data: Buffer, isBinary: boolean): void => {
    if (isBinary) return send(c, { type: 'error', error: 'bad frame', detail: 'frames are JSON text' });
    const parsed = parseOriginalClientFrame(data.toString('utf8'));
    if (!parsed.ok) return send(c, { type: 'error', error: parsed.error, detail: parsed.detail });
    const f = parsed.frame;
    if (f.type === 'command') {
      void runCommand(c, f.agent_id, f.command);
      return;
    }
    const content = f.content.trim();
    if (!content) return; // the original ignored empty chats
    if (c.turns >= maxTurns) return send(c, { type: 'error', error: 'busy', detail: `${maxTurns} chats are still being answered on this connection; send again when one is done` });
    c.turns++;
    void runChatTurn(content, { chat: deps.chat, send: (frame) => send(c, frame) }).finally(() => c.turns--);
  };

  const onConnection = (ws: WebSocket, req: IncomingMessage): void => {
    const c: Client = { ws, token: presentedToken(req), turns: 0 };
    clients.add(c);
    ws.on('message', (data: Buffer, isBinary: boolean) => onFrame(c, data, isBinary));
    ws.on('close', () => clients.delete(c));
    ws.on('error', (err) => deps.log('debug', `/ws client error: ${err.message}`));
    send(c, { type: 'full_snapshot', state: view.snapshot() });
    send(c, { type: 'config', chat_mode: 'direct_ws' });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(req) !== path) {
      // Another endpoint's (/mqtt); with no other listener nobody takes it: a 404, not a hanging socket.
      if (server.listenerCount('upgrade') === 1) refuse(socket, 404);
      return;
    }
    let verdict: UpgradeVerdict;
    try {
      verdict = opts.authorize(req);
    } catch (e) {
      deps.log('warning', `/ws authorize failed, connection refused: ${(e as Error).message}`);
      verdict = { status: 403, reason: 'refused' };
    }
    if (verdict !== true) {
      deps.log('warning', `/ws from ${req.socket.remoteAddress ?? '?'} refused: ${verdict.reason}`);
      return refuse(socket, verdict.status, verdict.reason);
    }
    if (clients.size >= maxClients) return refuse(socket, 503, `at most ${maxClients} /ws clients`);
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req));
  };
  server.on('upgrade', onUpgrade);

  const offRotate = opts.tokens?.onRotate(() => {
    const accepted = opts.tokens!.list();
    if (accepted.length === 0) return;
    for (const c of clients) if (c.token === undefined || !accepted.includes(c.token)) c.ws.close(4001, 'token revoked');
  });

  let closed = false;
  return {
    view,
    get clientCount() {
      return clients.size;
    },
    reset(scope, agent) {
      if (agent === null && scope !== 'state' && scope !== 'spawns') view.clearActivity();
      broadcast({ type: 'reset', scope, agent, state: view.snapshot() }, false);
    },
    close() {
      if (closed) return;
      closed = true;
      server.off('upgrade', onUpgrade);
      offRotate?.();
      if (timer) clearTimeout(timer);
      view.stop();
      for (const c of clients) c.ws.terminate();
      clients.clear();
      wss.close();
    },
  };
}
