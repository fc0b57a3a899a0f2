import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTOSTART_FILE, autostartDir, autostartEntry, isAutostartEnabled, quoteExecArg, setAutostart } from './linux-autostart.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wactorz-autostart-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Linux start at login (XDG autostart)', () => {
  it('uses XDG_CONFIG_HOME, else ~/.config', () => {
    expect(autostartDir({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/u')).toBe('/x/cfg/autostart');
    expect(autostartDir({}, '/home/u')).toBe('/home/u/.config/autostart');
  });

  it('quotes Exec arguments as the Desktop Entry spec asks', () => {
    expect(quoteExecArg('/opt/Wactorz/wactorz')).toBe('/opt/Wactorz/wactorz');
    expect(quoteExecArg('/home/u/My Apps/Wactorz.AppImage')).toBe('"/home/u/My Apps/Wactorz.AppImage"');
    expect(quoteExecArg('a"b$c`d\\e')).toBe('"a\\"b\\$c\\`d\\\\e"');
    expect(autostartEntry(['/opt/100%/wactorz', '--hidden'])).toContain('Exec="/opt/100%%/wactorz" --hidden');
  });

  it('writes, detects and removes the entry', async () => {
    expect(await isAutostartEnabled(dir)).toBe(false);
    await setAutostart(dir, true, ['/opt/Wactorz/wactorz', '--hidden']);
    expect(await isAutostartEnabled(dir)).toBe(true);
    const text = await readFile(join(dir, AUTOSTART_FILE), 'utf8');
    expect(text).toMatch(/^\[Desktop Entry\]\nType=Application\nName=Wactorz\n/);
    expect(text).toContain('Exec=/opt/Wactorz/wactorz --hidden\n');
    await setAutostart(dir, false, []);
    expect(await isAutostartEnabled(dir)).toBe(false);
    await setAutostart(dir, false, []); // idempotent
  });

  it('treats an entry the user disabled in their session settings as off', async () => {
    await writeFile(join(dir, AUTOSTART_FILE), `${autostartEntry(['/x'])}X-GNOME-Autostart-enabled=false\n`.replace('X-GNOME-Autostart-enabled=true\n', ''));
    expect(await isAutostartEnabled(dir)).toBe(false);
  });
});
