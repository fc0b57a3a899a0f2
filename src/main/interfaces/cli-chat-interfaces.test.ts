/**
 * `wactorz --interface telegram|whatsapp|discord` as a user runs it: the real CLI in a child
 * process (through tsx), talking to local servers that speak each service's API. Missing settings
 * exit with code 2 and say what to set; SIGTERM stops the interface, then the hub, with exit 0.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTelegramApiServer } from './telegram/testing/telegram-api-server.js';
import { startTwilioApiServer } from './whatsapp/testing/twilio-api-server.js';
import { twilioSignature } from './whatsapp/twilio-signature.js';
import { waitUntil } from '../testing/wait.js';

const root = join(import.meta.dirname, '../../..');
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function runCli(args: string[], env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'wz-cli-iface-'));
  dirs.push(dir);
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main/cli.ts'), '--no-monitor', '--mqtt-port', '0', '--llm', 'none', '--state-dir', dir, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exited };
}

describe('the CLI starts the chosen chat interface', () => {
  it('--interface telegram: answers through the Bot API, and stops cleanly on SIGTERM', async () => {
    const api = await startTelegramApiServer({ token: '42:cli-token' });
    try {
      const cli = runCli(['--interface', 'telegram', '--telegram-token', '42:cli-token'], { TELEGRAM_API_ROOT: api.apiRoot });
      await waitUntil(() => /Telegram: polling as @wactorz_test_bot/.test(cli.out.stdout) || cli.child.exitCode !== null, 'the telegram banner', 60_000);
      expect(cli.out.stdout).toMatch(/Telegram: polling as @wactorz_test_bot/);
      api.pushText({ id: 12 }, { id: 12 }, '/agents');
      await waitUntil(() => api.sent.length === 1, 'reply from the hub', 20_000);
      expect(api.sent[0]!.text).toMatch(/main\s+running/);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      await api.close();
    }
  }, 90_000);

  it('--interface telegram without a token exits 2 and says what to set', async () => {
    const cli = runCli(['--interface', 'telegram'], {});
    expect(await cli.exited).toBe(2);
    expect(cli.out.stderr).toMatch(/TELEGRAM_BOT_TOKEN or pass --telegram-token/);
  }, 90_000);

  it('--interface whatsapp: serves the signed webhook on --port and replies through Twilio', async () => {
    const sid = 'AC0000000000000000000000000000cli0';
    const twilio = await startTwilioApiServer({ accountSid: sid, authToken: 'cli-auth' });
    try {
      const cli = runCli(['--interface', 'whatsapp', '--port', '0'], {
        TWILIO_ACCOUNT_SID: sid,
        TWILIO_AUTH_TOKEN: 'cli-auth',
        TWILIO_WHATSAPP_NUMBER: '+14155238886',
        TWILIO_API_BASE_URL: twilio.baseUrl,
        WHATSAPP_PUBLIC_URL: 'https://hub.example.test',
      });
      await waitUntil(() => /Twilio webhook at http:\/\/127\.0\.0\.1:\d+\/whatsapp\/webhook/.test(cli.out.stdout) || cli.child.exitCode !== null, 'the whatsapp banner', 60_000);
      const local = /Twilio webhook at (http:\/\/127\.0\.0\.1:\d+\/whatsapp\/webhook)/.exec(cli.out.stdout)![1]!;
      const params = { From: 'whatsapp:+15550002222', To: 'whatsapp:+14155238886', Body: '/agents', AccountSid: sid, NumMedia: '0' };
      const res = await fetch(local, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature('cli-auth', 'https://hub.example.test/whatsapp/webhook', params) },
        body: new URLSearchParams(params).toString(),
      });
      expect(res.status).toBe(200);
      await waitUntil(() => twilio.messages.length === 1, 'reply via Twilio', 20_000);
      expect(twilio.messages[0]).toMatchObject({ To: 'whatsapp:+15550002222', From: 'whatsapp:+14155238886' });
      expect(twilio.messages[0]!.Body).toMatch(/main\s+running/);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      await twilio.close();
    }
  }, 90_000);

  it('--interface discord with the Discord API unreachable exits 1 with the reason', async () => {
    // Nothing listens on this port: the login fails fast and the hub shuts down again.
    const cli = runCli(['--interface', 'discord', '--discord-token', 'x'], { DISCORD_API_URL: 'http://127.0.0.1:9/api' });
    expect(await cli.exited).toBe(1);
    expect(cli.out.stderr).toMatch(/wactorz: discord: the Discord API at http:\/\/127\.0\.0\.1:9\/api is not reachable/);
  }, 90_000);
});
