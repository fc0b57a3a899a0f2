/**
 * POST /whatsapp/webhook (and the original's path, /webhook/whatsapp, as an alias so a Twilio
 * sender configured for the original keeps working) — where Twilio delivers incoming WhatsApp
 * messages (form-encoded). The
 * request must carry a valid X-Twilio-Signature (else 403); it is acknowledged at once with empty
 * TwiML, because main may take longer than Twilio's 15-second webhook timeout, and the reply is
 * sent through Twilio's Messages API, split within WhatsApp's 1600-character limit. A fastify
 * plugin, so it can be mounted on any server that Twilio can reach.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ChatInterfaceBase } from '../chat-interface.js';
import { replyForError } from '../chat-interface.js';
import { KeyedQueue } from '../keyed-queue.js';
import { splitMessage } from '../split-message.js';
import { isValidTwilioSignature, parseForm } from './twilio-signature.js';
import { sendTwilioMessage } from './twilio-messages.js';
import { asWhatsAppAddress, type WhatsAppSettings } from './whatsapp-config.js';

export const WHATSAPP_WEBHOOK_PATH = '/whatsapp/webhook';
/** Where the original Wactorz served the same webhook. */
export const ORIGINAL_WHATSAPP_WEBHOOK_PATH = '/webhook/whatsapp';
/** Twilio rejects WhatsApp bodies over 1600 characters. */
export const WHATSAPP_MESSAGE_LIMIT = 1600;
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

const incomingSchema = z.object({
  From: z.string().startsWith('whatsapp:', 'not a WhatsApp sender'),
  Body: z.string().default(''),
  NumMedia: z.coerce.number().int().min(0).default(0),
  ProfileName: z.string().optional(),
});

export interface WhatsAppWebhookOptions extends ChatInterfaceBase {
  settings: WhatsAppSettings;
  /** How long closing the server waits for replies in flight. */
  drainMs?: number;
}

export function whatsappWebhookRoutes(opts: WhatsAppWebhookOptions): FastifyPluginAsync {
  const { settings, log } = opts;
  return async (app) => {
    const queue = new KeyedQueue();
    const allowed = new Set([...settings.allowedNumbers].map(asWhatsAppAddress));
    app.addHook('onClose', async () => {
      if (!(await queue.drain(opts.drainMs ?? 10_000))) log('warning', 'whatsapp: stopped with replies still in flight');
    });
    // Twilio posts forms; the raw string is kept because the signature covers every field.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, parseForm(body as string)));

    const webhook = async (req: FastifyRequest, reply: FastifyReply) => {
      const params = (req.body ?? {}) as Record<string, string | string[]>;
      const url = signedUrl(req, settings.publicUrl);
      if (!isValidTwilioSignature(settings.authToken, header(req, 'x-twilio-signature'), url, params)) {
        log('warning', `whatsapp: rejected a webhook call with a missing or invalid X-Twilio-Signature (checked against ${url}${settings.publicUrl ? '' : '; set WHATSAPP_PUBLIC_URL if Twilio reaches the hub through a proxy'})`);
        return reply.status(403).send({ error: 'invalid Twilio signature', detail: 'X-Twilio-Signature does not match this request' });
      }
      const parsed = incomingSchema.safeParse(flatten(params));
      if (!parsed.success) {
        return reply.status(400).send({ error: 'invalid webhook body', detail: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      }
      const msg = parsed.data;
      if (allowed.size > 0 && !allowed.has(msg.From)) {
        log('warning', `whatsapp: ignoring ${msg.From}, which is not in WHATSAPP_ALLOWED_NUMBERS`);
      } else {
        void queue.push(msg.From, () => answer(msg.From, msg.Body.trim(), msg.NumMedia));
      }
      return reply.type('text/xml').send(EMPTY_TWIML);
    };
    app.post(WHATSAPP_WEBHOOK_PATH, webhook);
    app.post(ORIGINAL_WHATSAPP_WEBHOOK_PATH, webhook);

    async function answer(from: string, text: string, media: number): Promise<void> {
      let reply: string;
      if (!text) reply = media > 0 ? 'I can only read text messages.' : 'Hi! I am your Wactorz hub. Ask me anything, or send /help.';
      else {
        try {
          reply = await opts.processUserInput(text, { interface: 'whatsapp', user: from });
        } catch (e) {
          reply = replyForError(e);
        }
      }
      const parts = splitMessage(reply, WHATSAPP_MESSAGE_LIMIT);
      for (const body of parts.length ? parts : ['(no reply)']) {
        try {
          await sendTwilioMessage(settings, { from: settings.fromNumber, to: from, body });
        } catch (e) {
          log('error', `whatsapp: could not send the reply to ${from}: ${(e as Error).message}`);
          return;
        }
      }
    }
  };
}

/** The URL Twilio signed: the public base URL + path and query as received, else what the request says. */
export function signedUrl(req: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) {
    // Accept the webhook's full URL (either path) as the "base" too.
    const path = [WHATSAPP_WEBHOOK_PATH, ORIGINAL_WHATSAPP_WEBHOOK_PATH].find((p) => publicUrl.endsWith(p));
    const base = path ? publicUrl.slice(0, -path.length) : publicUrl;
    return base + req.url;
  }
  const proto = header(req, 'x-forwarded-proto')?.split(',')[0]?.trim() || 'http';
  const host = header(req, 'x-forwarded-host') ?? header(req, 'host') ?? 'localhost';
  return `${proto}://${host}${req.url}`;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Repeated fields keep their first value for reading (all of them were signed). */
function flatten(params: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0]! : v]));
}
