/**
 * Sends a WhatsApp message through Twilio's Messages API:
 * POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded From/To/Body, HTTP
 * basic auth with the account SID and auth token. The base URL is configurable (tests run a local
 * server that speaks this API).
 */
export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  /** Default https://api.twilio.com. */
  apiBaseUrl?: string;
}

export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

export async function sendTwilioMessage(creds: TwilioCredentials, msg: { from: string; to: string; body: string }, timeoutMs = 15_000): Promise<{ sid: string }> {
  const base = (creds.apiBaseUrl ?? 'https://api.twilio.com').replace(/\/+$/, '');
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(creds.accountSid)}/Messages.json`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${creds.accountSid}:${creds.authToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ From: msg.from, To: msg.to, Body: msg.body }).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new TwilioApiError(0, `the Twilio API at ${base} is not reachable (${(e as Error).message})`);
  }
  const text = await res.text();
  let json: { sid?: string; message?: string; code?: number } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // An HTML error page from a proxy: reported by status below.
  }
  if (!res.ok) {
    const hint = res.status === 401 ? ' — check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN' : '';
    throw new TwilioApiError(res.status, `Twilio refused the message (HTTP ${res.status}${json.code ? `, code ${json.code}` : ''}): ${json.message ?? (text.slice(0, 200) || res.statusText)}${hint}`, json.code);
  }
  return { sid: json.sid ?? '' };
}
