import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNodeArgs } from './node-args.js';

const dir = mkdtempSync(join(tmpdir(), 'wactorz-node-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wactorz node flags', () => {
  it('takes a host, port and name, with a default state dir', () => {
    const r = parseNodeArgs(['--broker', '192.168.1.10', '--mqtt-port', '1884', '--name', 'garage'], {});
    expect(r).toEqual({
      kind: 'run',
      options: { name: 'garage', stateDir: join('node-state', 'garage'), broker: { host: '192.168.1.10', port: 1884 }, heartbeatMs: 10_000, brokerDisplay: 'mqtt://192.168.1.10:1884' },
    });
  });

  it('reads WACTORZ_BROKER, WACTORZ_NODE and the credentials from the environment', () => {
    const r = parseNodeArgs([], { WACTORZ_BROKER: 'broker.lan', WACTORZ_NODE: 'pi', WACTORZ_MQTT_USERNAME: 'pi', WACTORZ_MQTT_PASSWORD: 'pw', WACTORZ_MQTT_PORT: '1885' });
    expect(r.kind).toBe('run');
    if (r.kind === 'run') expect(r.options.broker).toEqual({ host: 'broker.lan', port: 1885, username: 'pi', password: 'pw' });
  });

  it('takes an mqtts:// URL with a CA file; the display has no credentials', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const r = parseNodeArgs(['--broker', 'mqtts://u:secret@broker.example.org', '--mqtt-port', '8884', '--name', 'ws1', '--ca-file', ca], {});
    expect(r.kind).toBe('run');
    if (r.kind !== 'run') return;
    expect(r.options.broker.url).toBe('mqtts://u:secret@broker.example.org:8884');
    expect(r.options.broker.ca).toContain('BEGIN CERTIFICATE');
    expect(r.options.brokerDisplay).toBe('mqtts://broker.example.org:8884');
  });

  it('--tls with a host name connects with mqtts on 8883', () => {
    const r = parseNodeArgs(['--broker', 'broker.lan', '--tls', '--name', 'n1', '--insecure'], {});
    expect(r.kind === 'run' && r.options).toMatchObject({ broker: { host: 'broker.lan', tls: true, rejectUnauthorized: false }, brokerDisplay: 'mqtts://broker.lan:8883' });
  });

  it('refuses a missing broker or name, a bad name, an unreadable CA file, with exit code 2', () => {
    for (const [argv, message] of [
      [['--name', 'x'], /which broker/],
      [['--broker', 'h'], /node's name/],
      [['--broker', 'h', '--name', 'no/slash'], /invalid node name/],
      [['--broker', 'h', '--name', 'n', '--ca-file', join(dir, 'missing.pem')], /cannot read the CA file/],
      [['--broker', 'h', '--name', 'n', '--mqtt-port', '99999'], /not a port/],
    ] as const) {
      const r = parseNodeArgs([...argv], {});
      expect(r.kind).toBe('exit');
      if (r.kind === 'exit') {
        expect(r.code).toBe(2);
        expect(r.output).toMatch(message);
      }
    }
    const help = parseNodeArgs(['--help'], {});
    expect(help).toMatchObject({ kind: 'exit', code: 0 });
  });
});
