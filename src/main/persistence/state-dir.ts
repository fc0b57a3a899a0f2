/**
 * The state dir holds the database, agents' stored state, saved secrets and installed packages:
 * nobody but its owner may read it. It is created 0700; at start an existing one that others can
 * enter (an older Wactorz made it 0755, its files 0644) is tightened — the folder to 0700, every
 * file to owner-only (a 0644 file becomes 0600, an executable 0755 one 0700), every folder to
 * 0700 — and one log line says what changed. A folder that is already 0700 is not walked: nothing
 * inside is reachable, and everything Wactorz writes there is created owner-only.
 *
 * Not followed or changed: symbolic links (what they point at is not ours), and the inside of
 * `node_modules` (packages the installer put there: thousands of files, none secret, and out of
 * reach once the folders above them are 0700). Files we cannot change (another owner) are
 * reported, not fatal. A state dir that is the home folder or a drive's root is left alone (with a
 * warning): its files are not all ours. POSIX modes only: on Windows the user profile's ACLs protect the folder.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { join, parse, resolve } from 'node:path';

export interface TightenReport {
  /** The state dir's mode before, when it had to change. */
  dirWas?: number;
  files: number;
  folders: number;
  /** Paths that could not be changed, with why. */
  failed: { path: string; error: string }[];
  /** True when the walk stopped at `maxEntries`. */
  truncated: boolean;
}

export interface SecureStateDirOptions {
  log?: (level: 'info' | 'warning', message: string) => void;
  /** Stop walking after this many entries (a start must not crawl a huge folder). Default 20 000. */
  maxEntries?: number;
  /** Walk the contents even when the folder itself is already owner-only (default: only when it was not). */
  always?: boolean;
  /** Default process.platform. */
  platform?: NodeJS.Platform;
}

const SKIP_INSIDE = new Set(['node_modules']);

/** Creates `dir` owner-only, or tightens it and everything in it; logs once when anything changed. */
export function secureStateDir(dir: string, opts: SecureStateDirOptions = {}): TightenReport {
  const report: TightenReport = { files: 0, folders: 0, failed: [], truncated: false };
  const root = resolve(dir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  if ((opts.platform ?? process.platform) === 'win32') return report;
  if (root === resolve(homedir()) || root === parse(root).root) {
    opts.log?.('warning', `state dir ${root} is your home folder or a drive's root: its permissions are left alone; give Wactorz a folder of its own (--state-dir)`);
    return report;
  }
  const before = statSync(root).mode & 0o777;
  if (before & 0o077) {
    chmodSync(root, 0o700);
    report.dirWas = before;
  }
  let budget = opts.maxEntries ?? 20_000;
  const walk = (folder: string): void => {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch (e) {
      report.failed.push({ path: folder, error: (e as Error).message });
      return;
    }
    for (const name of names) {
      if (budget-- <= 0) {
        report.truncated = true;
        return;
      }
      const path = join(folder, name);
      let st: Stats;
      try {
        st = lstatSync(path);
      } catch {
        continue; // removed meanwhile
      }
      if (st.isSymbolicLink()) continue;
      const mode = st.mode & 0o777;
      if (st.isDirectory()) {
        if (mode & 0o077 && tighten(path, 0o700, report)) report.folders++;
        if (!SKIP_INSIDE.has(name)) walk(path);
      } else if (st.isFile() && mode & 0o077) {
        if (tighten(path, mode & 0o700, report)) report.files++;
      }
    }
  };
  // Inside an owner-only folder nothing is reachable by others, and what we create is owner-only
  // already: the walk (tens of ms per thousand files) runs only when the folder itself was open.
  if (report.dirWas !== undefined || opts.always) walk(root);
  const changed = report.dirWas !== undefined || report.files > 0 || report.folders > 0;
  if (changed) {
    const what = [
      report.dirWas !== undefined ? `the folder was ${octal(report.dirWas)}, now 0700` : '',
      report.files ? `${report.files} file(s) readable by others are now owner-only` : '',
      report.folders ? `${report.folders} folder(s) are now 0700` : '',
    ].filter(Boolean);
    opts.log?.('info', `state dir ${root}: tightened (${what.join('; ')})`);
  }
  if (report.failed.length) {
    opts.log?.('warning', `state dir ${root}: could not make ${report.failed.length} path(s) owner-only, e.g. ${report.failed[0]!.path} (${report.failed[0]!.error})`);
  }
  if (report.truncated) opts.log?.('warning', `state dir ${root}: stopped tightening after ${opts.maxEntries ?? 20_000} entries; run \`chmod -R go-rwx ${root}\` once`);
  return report;
}

function tighten(path: string, mode: number, report: TightenReport): boolean {
  try {
    chmodSync(path, mode);
    return true;
  } catch (e) {
    report.failed.push({ path, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
    return false;
  }
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
