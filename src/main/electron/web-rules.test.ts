import { describe, expect, it } from 'vitest';
import { windowOriginFor, portOf } from './app-origin.js';
import { buildCsp, webSocketOrigin, withCsp } from './csp.js';
import { decideNavigation, decideWindowOpen, isPermissionAllowed, isSafeExternalUrl, originOf } from './navigation-rules.js';

const APP = 'http://127.0.0.1:8888';

describe('navigation rules', () => {
  it('keeps the app origin in the window, sends http(s) elsewhere to the OS browser, refuses the rest', () => {
    expect(decideNavigation(`${APP}/agents/main`, [APP])).toBe('allow');
    expect(decideNavigation(`${APP}/#/chat`, [APP])).toBe('allow');
    expect(decideNavigation('https://docs.anthropic.com/', [APP])).toBe('open-external');
    expect(decideNavigation('http://127.0.0.1:9999/', [APP])).toBe('open-external');
    expect(decideNavigation('http://localhost:8888/', [APP])).toBe('open-external');
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,<script>1</script>', 'ms-settings:privacy', 'ftp://x.org/', 'not a url']) {
      expect(decideNavigation(url, [APP]), url).toBe('deny');
    }
  });

  it('never opens a second window: app URLs load in the main one', () => {
    expect(decideWindowOpen(`${APP}/agents`, [APP])).toBe('load-in-main');
    expect(decideWindowOpen('https://example.com/', [APP])).toBe('open-external');
    expect(decideWindowOpen('about:blank', [APP])).toBe('deny');
  });

  it('hands only plain http(s) URLs to the OS', () => {
    expect(isSafeExternalUrl('https://example.com/a?b#c')).toBe(true);
    expect(isSafeExternalUrl('http://192.168.1.2:8123/')).toBe(true);
    expect(isSafeExternalUrl('https://user:pass@example.com/')).toBe(false);
    expect(isSafeExternalUrl('file:///C:/Windows/System32/calc.exe')).toBe(false);
    expect(isSafeExternalUrl('smb://server/share')).toBe(false);
    expect(isSafeExternalUrl('https://')).toBe(false);
  });

  it('grants the page notifications and clipboard writes only, and only for the app origin', () => {
    expect(isPermissionAllowed('notifications', `${APP}/`, [APP])).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', `${APP}/x`, [APP])).toBe(true);
    for (const p of ['media', 'geolocation', 'clipboard-read', 'usb', 'openExternal', 'display-capture']) {
      expect(isPermissionAllowed(p, `${APP}/`, [APP]), p).toBe(false);
    }
    expect(isPermissionAllowed('notifications', 'https://evil.example/', [APP])).toBe(false);
    expect(originOf('about:blank')).toBeNull();
  });
});

describe('CSP', () => {
  it('is strict: self only, no eval, no inline script, no objects or frames', () => {
    const csp = buildCsp({ appOrigin: APP });
    const d = Object.fromEntries(csp.split('; ').map((x) => [x.split(' ')[0], x.split(' ').slice(1)]));
    expect(d['default-src']).toEqual(["'self'"]);
    expect(d['script-src']).toEqual(["'self'"]);
    expect(d['connect-src']).toEqual(["'self'", 'ws://127.0.0.1:8888']);
    expect(d['worker-src']).toEqual(["'self'", 'blob:']);
    expect(d['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
    expect(d['object-src']).toEqual(["'none'"]);
    expect(d['frame-ancestors']).toEqual(["'none'"]);
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/\*/);
  });

  it("allows inline scripts only in development (the dev server's React refresh preamble)", () => {
    expect(buildCsp({ appOrigin: 'http://localhost:5173', dev: true })).toContain("script-src 'self' 'unsafe-inline'");
  });

  it('uses wss for an https origin', () => {
    expect(webSocketOrigin('https://hub.example:8443')).toBe('wss://hub.example:8443');
  });

  it("replaces any CSP on the app's responses and leaves other responses alone", () => {
    const headers = { 'content-type': ['text/html'], 'content-security-policy': ["default-src *"] };
    const out = withCsp(`${APP}/index.html`, headers, { appOrigin: APP });
    expect(out).toEqual({ 'content-type': ['text/html'], 'Content-Security-Policy': [buildCsp({ appOrigin: APP })] });
    expect(withCsp('https://example.com/', headers, { appOrigin: APP })).toBe(headers);
  });
});

describe('app origin', () => {
  it('reaches a wildcard or localhost bind through 127.0.0.1 and keeps a LAN address', () => {
    expect(windowOriginFor('http://0.0.0.0:8888')).toBe(APP);
    expect(windowOriginFor('http://[::]:8888/')).toBe(APP);
    expect(windowOriginFor('http://localhost:8888')).toBe(APP);
    expect(windowOriginFor('http://192.168.1.20:8888')).toBe('http://192.168.1.20:8888');
    expect(() => windowOriginFor('file:///x')).toThrow(/not http/);
    expect(portOf('http://127.0.0.1:43001')).toBe(43001);
    expect(portOf('https://example.com')).toBe(443);
  });
});
