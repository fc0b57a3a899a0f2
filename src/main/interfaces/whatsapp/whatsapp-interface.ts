/**
 * WhatsApp (`--interface whatsapp`): serves the Twilio webhook on its own small HTTP server (on
 * `--port`, like the REST interface would), so Twilio needs no access token and reaches nothing
 * else of the hub. Point the sandbox's or sender's "when a message comes in" at
 * `$WHATSAPP_PUBLIC_URL/whatsapp/webhook`.
 */
import Fastify from 'fastify';
import type { ChatInterfaceBase, RunningChatInterface } from '../chat-interface.js';
import { listenHttp } from '../../server/http-app.js';
import type { WhatsAppSettings } from './whatsapp-config.js';
import { WHATSAPP_WEBHOOK_PATH, whatsappWebhookRoutes } from './whatsapp-webhook.js';

export interface WhatsAppInterfaceOptions extends ChatInterfaceBase, WhatsAppSettings {
  host: string;
  port: number;
  drainMs?: number;
}

export interface RunningWhatsAppInterface extends RunningChatInterface {
  /** Where the webhook listens locally, e.g. http://127.0.0.1:8000/whatsapp/webhook. */
  readonly localWebhookUrl: string;
}

export async function startWhatsAppInterface(opts: WhatsAppInterfaceOptions): Promise<RunningWhatsAppInterface> {
  const { processUserInput, log, host, port, drainMs, ...settings } = opts;
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 64 * 1024 });
  app.setErrorHandler((e, _req, reply) => {
    const status = (e as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) log('error', `whatsapp webhook: ${(e as Error).stack ?? String(e)}`);
    return reply.status(status).send({ error: status >= 500 ? 'internal error' : (e as Error).message, detail: (e as Error).message });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: 'not found', detail: `${req.method} ${req.url} — Twilio posts to ${WHATSAPP_WEBHOOK_PATH}` }));
  await app.register(whatsappWebhookRoutes({ processUserInput, log, settings, drainMs }));
  let bound: number;
  try {
    bound = await listenHttp(app, host, port, '--port');
  } catch (e) {
    await app.close();
    throw e;
  }
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const localWebhookUrl = `http://${h}:${bound}${WHATSAPP_WEBHOOK_PATH}`;
  const publicHint = settings.publicUrl
    ? `public ${settings.publicUrl.replace(new RegExp(`${WHATSAPP_WEBHOOK_PATH}$`), '')}${WHATSAPP_WEBHOOK_PATH}`
    : 'set WHATSAPP_PUBLIC_URL to the public address Twilio calls';
  let stopping: Promise<void> | undefined;
  return {
    localWebhookUrl,
    description: `WhatsApp: Twilio webhook at ${localWebhookUrl} (${publicHint}), replies from ${settings.fromNumber}`,
    stop: () => (stopping ??= app.close()),
  };
}
