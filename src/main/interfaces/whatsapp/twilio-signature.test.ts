import { describe, expect, it } from 'vitest';
import { isValidTwilioSignature, parseForm, twilioSignature } from './twilio-signature.js';

// The worked example from Twilio's webhook-security documentation (used by twilio-node's own tests),
// in the two variants published with their expected signatures: vectors this code did not produce.
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = (caller: string) => ({ CallSid: 'CA1234567890ABCDE', Caller: caller, Digits: '1234', From: caller, To: '+18005551212' });

describe('Twilio request signature', () => {
  it("matches Twilio's published vectors", () => {
    expect(twilioSignature('12345', url, params('+14158675310'))).toBe('GvWf1cFY/Q7PnoempGyD5oXAezc=');
    expect(twilioSignature('12345', url, params('+14158675309'))).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('rejects a tampered field, another token, another URL or no signature', () => {
    const p = params('+14158675310');
    const sig = 'GvWf1cFY/Q7PnoempGyD5oXAezc=';
    expect(isValidTwilioSignature('12345', sig, url, p)).toBe(true);
    expect(isValidTwilioSignature('12345', sig, url, { ...p, Digits: '9999' })).toBe(false);
    expect(isValidTwilioSignature('54321', sig, url, p)).toBe(false);
    expect(isValidTwilioSignature('12345', sig, url.replace('foo=1', 'foo=2'), p)).toBe(false);
    expect(isValidTwilioSignature('12345', undefined, url, p)).toBe(false);
    expect(isValidTwilioSignature('12345', sig.slice(1), url, p)).toBe(false);
  });

  it('accepts the URL signed with or without the default port', () => {
    const p = params('+14158675310');
    const sigWithPort = twilioSignature('12345', 'https://mycompany.com:443/myapp.php?foo=1&bar=2', p);
    expect(isValidTwilioSignature('12345', sigWithPort, url, p)).toBe(true);
    expect(isValidTwilioSignature('12345', 'GvWf1cFY/Q7PnoempGyD5oXAezc=', 'https://mycompany.com:443/myapp.php?foo=1&bar=2', p)).toBe(true);
    expect(isValidTwilioSignature('12345', 'GvWf1cFY/Q7PnoempGyD5oXAezc=', 'https://mycompany.com:8443/myapp.php?foo=1&bar=2', p)).toBe(false);
  });

  it('signs repeated fields value by value, sorted', () => {
    const form = parseForm('b=2&a=z&a=y');
    expect(form).toEqual({ b: '2', a: ['z', 'y'] });
    expect(twilioSignature('t', 'https://x/', form)).toBe(twilioSignature('t', 'https://x/', { a: ['y', 'z'], b: '2' }));
  });
});
