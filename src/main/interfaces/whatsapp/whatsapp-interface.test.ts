/**
 * The WhatsApp adapter end to end: signed Twilio webhooks posted to its real HTTP server (valid →
 * answered, invalid → 403), replies through a local server that speaks Twilio's Messages API, and
 * one round trip with a real hub.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTwilioApiServer, type TwilioApiServer } from './testing/twilio-api-server.js';
import { startWhatsAppInterface, type RunningWhatsAppInterface } from './whatsapp-interface.js';
import { whatsappSettingsFrom } from './whatsapp-config.js';
import { twilioSignature } from './twilio-signature.js';
import { WHATSAPP_MESSAGE_LIMIT } from './whatsapp-webhook.js';
import { InterfaceConfigError, type ChatContext, type ProcessUserInput } from '../chat-interface.js';
import { silentLogger, type Logger } from '../../base/logger.js';
import { startTestHub } from '../../testing/hub-fixture.js';
import { waitUntil } from '../../testing/wait.js';

const SID = 'AC00000000000000000000000000000001';
const AUTH = 'twilio-auth-token-for-tests';
const PUBLIC = 'https://hub.example.test';
const SENDER = 'whatsapp:+15550001111';

let twilio: TwilioApiServer;
let iface: RunningWhatsAppInterface | undefined;

beforeEach(async () => {
  twilio = await startTwilioApiServer({ accountSid: SID, authToken: AUTH });
});
afterEach(async () => {
  await iface?.stop();
  iface = undefined;
  await twilio.close();
});

const start = async (processUserInput: ProcessUserInput, extra: { publicUrl?: string | null; allowed?: string[]; log?: Logger; authToken?: string } = {}) =>
  (iface = await startWhatsAppInterface({
    processUserInput,
    log: extra.log ?? silentLogger,
    accountSid: SID,
    authToken: extra.authToken ?? AUTH,
    fromNumber: 'whatsapp:+14155238886',
    publicUrl: extra.publicUrl === null ? undefined : (extra.publicUrl ?? PUBLIC),
    apiBaseUrl: twilio.baseUrl,
    allowedNumbers: new Set(extra.allowed ?? []),
    host: '127.0.0.1',
    port: 0,
  }));

const incoming = (body: string, from = SENDER) => ({
  SmsMessageSid: 'SM1',
  NumMedia: '0',
  ProfileName: 'Ada',
  WaId: from.replace('whatsapp:+', ''),
  Body: body,
  To: 'whatsapp:+14155238886',
  From: from,
  MessageSid: 'SM1',
  AccountSid: SID,
  ApiVersion: '2010-04-01',
});

/** Posts a webhook as Twilio would, signed over `signedUrl` (the public URL Twilio called). */
function postWebhook(params: Record<string, string>, signature: string | null, query = '') {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (signature !== null) headers['x-twilio-signature'] = signature;
  return fetch(iface!.localWebhookUrl + query, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
}
const sign = (params: Record<string, string>, url = `${PUBLIC}/whatsapp/webhook`, token = AUTH) => twilioSignature(token, url, params);

describe('WhatsApp interface (signed Twilio webhooks, local Twilio API)', () => {
  it('answers a validly signed message through processUserInput and the Messages API', async () => {
    const seen: [string, ChatContext][] = [];
    await start(async (text, ctx) => (seen.push([text, ctx]), `You said: ${text}`));
    const params = incoming('hello hub');
    const res = await postWebhook(params, sign(params));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/xml/);
    expect(await res.text()).toMatch(/<Response><\/Response>/);
    await waitUntil(() => twilio.messages.length === 1, 'reply via Twilio', 10_000);
    expect(seen).toEqual([['hello hub', { interface: 'whatsapp', user: SENDER }]]);
    expect(twilio.messages[0]).toEqual({ From: 'whatsapp:+14155238886', To: SENDER, Body: 'You said: hello hub' });
  });

  it('refuses a missing, wrong or replayed-with-changes signature with 403 and never asks the hub', async () => {
    let asked = 0;
    const warnings: string[] = [];
    await start(async (t) => (asked++, `re: ${t}`), { log: (l, m) => l === 'warning' && warnings.push(m) });
    const params = incoming('transfer all the money');
    const missing = await postWebhook(params, null);
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({ error: 'invalid Twilio signature' });
    expect((await postWebhook(params, sign(params, undefined, 'another-token'))).status).toBe(403);
    expect((await postWebhook({ ...params, Body: 'changed' }, sign(params))).status).toBe(403);
    // Signed for another URL (e.g. the query string was altered).
    expect((await postWebhook(params, sign(params), '?extra=1')).status).toBe(403);
    expect(warnings.join('\n')).toMatch(/invalid X-Twilio-Signature/);
    // A well-signed marker from the same sender, answered in order after anything accepted before it.
    const marker = incoming('marker');
    expect((await postWebhook(marker, sign(marker))).status).toBe(200);
    await waitUntil(() => twilio.messages.some((m) => m.Body === 're: marker'), 'the reply to the marker', 10_000);
    expect(asked).toBe(1); // the marker only
    expect(twilio.messages.map((m) => m.Body)).toEqual(['re: marker']);
  });

  it('serves the original path /webhook/whatsapp as an alias, with the same signature check', async () => {
    const seen: string[] = [];
    const warnings: string[] = [];
    await start(async (text) => (seen.push(text), `alias: ${text}`), { log: (l, m) => l === 'warning' && warnings.push(m) });
    const alias = iface!.localWebhookUrl.replace('/whatsapp/webhook', '/webhook/whatsapp');
    const post = (params: Record<string, string>, headers: Record<string, string>) =>
      fetch(alias, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(params).toString() });
    // An anonymous client, or a web page posting a form cross-site, has no Twilio signature.
    const forged = incoming('send everything to me');
    expect((await post(forged, { origin: 'https://evil.example' })).status).toBe(403);
    // Signed for the other path: refused (the signature covers the URL Twilio called).
    expect((await post(forged, { 'x-twilio-signature': sign(forged) })).status).toBe(403);
    const params = incoming('hello from an original setup');
    const ok = await post(params, { 'x-twilio-signature': sign(params, `${PUBLIC}/webhook/whatsapp`) });
    expect(ok.status).toBe(200);
    await waitUntil(() => twilio.messages.length === 1, 'reply via Twilio', 10_000);
    expect(seen).toEqual(['hello from an original setup']);
    expect(twilio.messages[0]!.Body).toBe('alias: hello from an original setup');
    expect(warnings.join('\n')).toMatch(/invalid X-Twilio-Signature/);
  });

  it('signs over the query string too, and without WHATSAPP_PUBLIC_URL over the Host it was called at', async () => {
    await start(async (t) => `ok ${t}`, { publicUrl: null });
    const params = incoming('behind no proxy');
    const url = `${iface!.localWebhookUrl}?via=test`;
    expect((await postWebhook(params, sign(params, url), '?via=test')).status).toBe(200);
    await waitUntil(() => twilio.messages.length === 1, 'reply', 10_000);
    expect(twilio.messages[0]!.Body).toBe('ok behind no proxy');
  });

  it('splits a long reply within 1600 characters, in order', async () => {
    const long = Array.from({ length: 30 }, (_, i) => `Line ${i}: ` + 'data '.repeat(40).trim()).join('\n');
    expect(long.length).toBeGreaterThan(3 * WHATSAPP_MESSAGE_LIMIT);
    await start(async () => long);
    const params = incoming('a lot please');
    expect((await postWebhook(params, sign(params))).status).toBe(200);
    await waitUntil(() => twilio.messages.map((m) => m.Body).join('\n') === long, 'all parts', 10_000);
    expect(twilio.messages.length).toBeGreaterThanOrEqual(4);
    for (const m of twilio.messages) {
      expect(m.Body.length).toBeLessThanOrEqual(WHATSAPP_MESSAGE_LIMIT);
      expect(m.Body).toMatch(/^Line \d+:/);
    }
  });

  it('answers only WHATSAPP_ALLOWED_NUMBERS when set', async () => {
    const asked: string[] = [];
    await start(async (t, ctx) => (asked.push(ctx.user), t), { allowed: ['+1 555 000 1111'] });
    const stranger = incoming('hi', 'whatsapp:+15559999999');
    expect((await postWebhook(stranger, sign(stranger))).status).toBe(200);
    const friend = incoming('hi');
    expect((await postWebhook(friend, sign(friend))).status).toBe(200);
    await waitUntil(() => twilio.messages.length === 1, 'one reply', 10_000);
    expect(asked).toEqual([SENDER]);
    expect(twilio.messages[0]!.To).toBe(SENDER);
  });

  it('logs a clear error when Twilio refuses the credentials', async () => {
    const errors: string[] = [];
    await twilio.close();
    twilio = await startTwilioApiServer({ accountSid: SID, authToken: 'the-real-one' });
    await start(async () => 'reply', { log: (l, m) => l === 'error' && errors.push(m) });
    const params = incoming('hello');
    expect((await postWebhook(params, sign(params))).status).toBe(200);
    await waitUntil(() => errors.length === 1, 'send error', 10_000);
    expect(errors[0]).toMatch(/could not send the reply to whatsapp:\+15550001111: Twilio refused the message \(HTTP 401, code 20003\).*TWILIO_AUTH_TOKEN/);
  });

  it('rejects a signed body that is not a WhatsApp message with 400', async () => {
    await start(async () => 'x');
    const params = { From: '+15550001111', Body: 'sms, not whatsapp' };
    const res = await postWebhook(params, sign(params));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid webhook body' });
  });
});

describe('WhatsApp interface end to end with a real hub', () => {
  it('answers /agents from the real main actor', { timeout: 60_000 }, async () => {
    const testHub = await startTestHub({ interface: 'whatsapp' });
    const hub = testHub.handle;
    try {
      await start((text, ctx) => hub.processUserInput(text, ctx));
      const params = incoming('/agents');
      expect((await postWebhook(params, sign(params))).status).toBe(200);
      await waitUntil(() => twilio.messages.length === 1, 'reply from main', 15_000);
      expect(twilio.messages[0]!.Body).toMatch(/main\s+running/);
    } finally {
      await iface?.stop();
      iface = undefined;
      await testHub.stop();
    }
  });
});

describe('WhatsApp settings', () => {
  it('reads the Twilio variables and says which are missing', () => {
    const s = whatsappSettingsFrom({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: AUTH, TWILIO_WHATSAPP_NUMBER: '+1 415 523 8886', WHATSAPP_PUBLIC_URL: 'https://x.test/', WHATSAPP_ALLOWED_NUMBERS: '+1555, whatsapp:+1666' });
    expect(s).toMatchObject({ fromNumber: 'whatsapp:+14155238886', publicUrl: 'https://x.test', allowedNumbers: new Set(['whatsapp:+1555', 'whatsapp:+1666']) });
    expect(() => whatsappSettingsFrom({ TWILIO_ACCOUNT_SID: SID })).toThrow(InterfaceConfigError);
    expect(() => whatsappSettingsFrom({ TWILIO_ACCOUNT_SID: SID })).toThrow(/TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_NUMBER/);
    expect(() => whatsappSettingsFrom({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'a', TWILIO_WHATSAPP_NUMBER: '+1', WHATSAPP_PUBLIC_URL: 'hub.test' })).toThrow(/WHATSAPP_PUBLIC_URL/);
  });
});
