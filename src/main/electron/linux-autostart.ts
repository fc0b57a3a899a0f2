/**
 * "Start at login" on Linux, where Electron's setLoginItemSettings does nothing: an XDG autostart
 * entry (`~/.config/autostart/wactorz.desktop`, honoured by GNOME, KDE, XFCE…).
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomically } from './atomic-write.js';

export const AUTOSTART_FILE = 'dev.wactorz.app.desktop';

/** `$XDG_CONFIG_HOME/autostart` or `~/.config/autostart`. */
export function autostartDir(env: Record<string, string | undefined>, home: string): string {
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'autostart');
}

/** Quotes one Exec argument as the Desktop Entry spec asks (reserved characters escaped inside double quotes). */
export function quoteExecArg(arg: string): string {
  if (/^[A-Za-z0-9_./:=+-]+$/.test(arg)) return arg;
  return `"${arg.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
}

export function autostartEntry(command: readonly string[]): string {
  // `%` introduces field codes in Exec; a literal one is written `%%`.
  const exec = command.map(quoteExecArg).join(' ').replace(/%/g, '%%');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Wactorz',
    'Comment=Actor-model hub for multi-agent AI',
    `Exec=${exec}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export async function isAutostartEnabled(dir: string): Promise<boolean> {
  try {
    const text = await readFile(join(dir, AUTOSTART_FILE), 'utf8');
    return !/^X-GNOME-Autostart-enabled=false$/m.test(text) && !/^Hidden=true$/m.test(text);
  } catch {
    return false;
  }
}

export async function setAutostart(dir: string, enabled: boolean, command: readonly string[]): Promise<void> {
  const file = join(dir, AUTOSTART_FILE);
  if (enabled) await writeAtomically(file, autostartEntry(command));
  else await rm(file, { force: true });
}
