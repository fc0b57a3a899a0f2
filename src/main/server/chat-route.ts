/**
 * POST /chat {message, agent_name?} → {status: "sent", agent, response} (the original's shape).
 * With `?stream=1` (or `Accept: text/event-stream`) the reply streams as Server-Sent Events:
 * `data: {"chunk": "..."}` per piece, then `event: done` with the whole ChatResponse.
 */
import type { FastifyInstance } from 'fastify';
import { chatRequestSchema, type ChatResponse } from '../../shared/rest.js';
import type { HubApi } from './hub-api.js';
import { validateBody } from './validate-body.js';
import { isJsonObject, type originalErrors } from './original/reply-style.js';

export function registerChatRoute(app: FastifyInstance, hub: HubApi, errors: ReturnType<typeof originalErrors>): void {
  app.post<{ Querystring: { stream?: string } }>('/chat', async (req, reply) => {
    // The original's words first (`No message provided`), then the schema for the rest.
    if (!isJsonObject(req.body)) throw errors.notAnObject();
    if (typeof req.body.message !== 'string' || !req.body.message) throw errors.noMessage();
    const body = validateBody(chatRequestSchema, req.body);
    const wantsStream = req.query.stream === '1' || req.query.stream === 'true' || req.headers.accept === 'text/event-stream';
    if (!wantsStream) {
      const r = await hub.chat(body.message, { agentName: body.agent_name, interface: 'rest' });
      const res: ChatResponse = { status: 'sent', agent: r.agent, response: r.response };
      return res;
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.flushHeaders();
    let closed = false;
    raw.on('close', () => (closed = true));
    const send = (event: string | null, data: unknown) => {
      if (closed) return;
      raw.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
    };
    try {
      const r = await hub.chat(body.message, {
        agentName: body.agent_name,
        interface: 'rest',
        onChunk: (chunk) => send(null, { chunk }),
      });
      send('done', { status: 'sent', agent: r.agent, response: r.response } satisfies ChatResponse);
    } catch (e) {
      send('error', { error: (e as Error).message });
    }
    raw.end();
  });
}
