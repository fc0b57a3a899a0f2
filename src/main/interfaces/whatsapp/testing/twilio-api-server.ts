/**
 * A local server that speaks Twilio's Messages API as far as the adapter uses it:
 * POST /2010-04-01/Accounts/{sid}/Messages.json (form-encoded, HTTP basic auth), with Twilio's
 * error shapes for a wrong account or credentials (401/20003) and a body over 1600 characters
 * (400/21617).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TwilioSentMessage {
  From: string;
  To: string;
  Body: string;
}

export interface TwilioApiServer {
  readonly baseUrl: string;
  readonly messages: TwilioSentMessage[];
  close(): Promise<void>;
}

export async function startTwilioApiServer(opts: { accountSid: string; authToken: string }): Promise<TwilioApiServer> {
  const messages: TwilioSentMessage[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m) return send(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
      const expected = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;
      if (req.headers.authorization !== expected || decodeURIComponent(m[1]!) !== opts.accountSid) {
        return send(401, { code: 20003, message: 'Authenticate', status: 401 });
      }
      if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return send(400, { code: 20001, message: 'form body expected', status: 400 });
      const form = new URLSearchParams(raw);
      const msg = { From: form.get('From') ?? '', To: form.get('To') ?? '', Body: form.get('Body') ?? '' };
      if (!msg.To) return send(400, { code: 21604, message: "A 'To' phone number is required.", status: 400 });
      if (!msg.Body) return send(400, { code: 21602, message: 'Message body is required.', status: 400 });
      if (msg.Body.length > 1600) return send(400, { code: 21617, message: 'The concatenated message body exceeds the 1600 character limit.', status: 400 });
      if (!msg.From.startsWith('whatsapp:') || !msg.To.startsWith('whatsapp:')) return send(400, { code: 63007, message: 'Twilio could not find a Channel with the specified From address', status: 400 });
      messages.push(msg);
      const sid = `SM${String(++n).padStart(32, '0')}`;
      send(201, { sid, account_sid: opts.accountSid, status: 'queued', from: msg.From, to: msg.To, body: msg.Body, num_segments: '1' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    messages,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
