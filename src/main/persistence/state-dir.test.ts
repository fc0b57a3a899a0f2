/** Tightening a state dir: real folders, real modes (stat), symlinks and node_modules left alone. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secureStateDir } from './state-dir.js';

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'wz-state-dir-'));
});
afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

const mode = (p: string) => statSync(p).mode & 0o777;
const logs = () => {
  const lines: string[] = [];
  return { lines, log: (level: string, m: string) => lines.push(`${level}: ${m}`) };
};

describe.skipIf(process.platform === 'win32')('secureStateDir', () => {
  it('creates a new state dir 0700 whatever the umask, and says nothing', () => {
    const dir = join(base, 'fresh', 'state');
    const { lines, log } = logs();
    const old = process.umask(0o022);
    try {
      secureStateDir(dir, { log });
    } finally {
      process.umask(old);
    }
    expect(mode(dir)).toBe(0o700);
    expect(lines).toEqual([]);
  });

  it('tightens an existing 0755 state dir and its 0644 files (an older Wactorz), once, with one log line', () => {
    const dir = join(base, 'state');
    mkdirSync(join(dir, 'weather'), { recursive: true });
    mkdirSync(join(dir, 'packages', 'node_modules', 'left-pad'), { recursive: true });
    const files = {
      db: join(dir, 'wactorz.db'),
      wal: join(dir, 'wactorz.db-wal'),
      shm: join(dir, 'wactorz.db-shm'),
      secrets: join(dir, 'secrets.json'),
      blob: join(dir, 'weather', 'forecast.json'),
      pkg: join(dir, 'packages', 'package.json'),
      npmrc: join(dir, 'packages', '.npmrc'),
      script: join(dir, 'weather', 'run.sh'),
    };
    for (const f of Object.values(files)) writeFileSync(f, 'x');
    for (const f of Object.values(files)) chmodSync(f, 0o644);
    chmodSync(files.script, 0o755);
    const inside = join(dir, 'packages', 'node_modules', 'left-pad', 'index.js');
    writeFileSync(inside, 'module.exports = 1');
    chmodSync(inside, 0o644);
    const outside = join(base, 'not-ours.txt');
    writeFileSync(outside, 'x');
    chmodSync(outside, 0o644);
    symlinkSync(outside, join(dir, 'link.txt'));
    for (const d of [dir, join(dir, 'weather'), join(dir, 'packages'), join(dir, 'packages', 'node_modules')]) chmodSync(d, 0o755);

    const { lines, log } = logs();
    const r = secureStateDir(dir, { log });
    expect(mode(dir)).toBe(0o700);
    for (const f of Object.values(files).filter((f) => f !== files.script)) expect(mode(f), f).toBe(0o600);
    expect(mode(files.script)).toBe(0o700);
    for (const d of [join(dir, 'weather'), join(dir, 'packages'), join(dir, 'packages', 'node_modules')]) expect(mode(d), d).toBe(0o700);
    expect(mode(inside)).toBe(0o644); // inside node_modules: left as npm made it (unreachable now)
    expect(mode(outside)).toBe(0o644); // a symlink's target is not ours
    expect(r).toMatchObject({ dirWas: 0o755, files: 8, folders: 3, failed: [], truncated: false });
    expect(lines).toEqual([`info: state dir ${dir}: tightened (the folder was 0755, now 0700; 8 file(s) readable by others are now owner-only; 3 folder(s) are now 0700)`]);

    const again = logs();
    expect(secureStateDir(dir, { log: again.log })).toMatchObject({ files: 0, folders: 0 });
    expect(again.lines).toEqual([]);
    // An owner-only folder is not walked (nothing inside is reachable) unless asked.
    chmodSync(files.db, 0o644);
    expect(secureStateDir(dir).files).toBe(0);
    expect(mode(files.db)).toBe(0o644);
    expect(secureStateDir(dir, { always: true }).files).toBe(1);
    expect(mode(files.db)).toBe(0o600);
  });

  it('stops after maxEntries and says how to finish by hand', () => {
    const dir = join(base, 'big');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    for (let i = 0; i < 5; i++) writeFileSync(join(dir, `f${i}`), 'x', { mode: 0o644 });
    const { lines, log } = logs();
    expect(secureStateDir(dir, { log, maxEntries: 2 }).truncated).toBe(true);
    expect(lines.at(-1)).toMatch(/stopped tightening after 2 entries; run `chmod -R go-rwx /);
  });

  it('leaves the home folder alone, with a warning', () => {
    const home = process.env.HOME;
    const fake = join(base, 'home');
    mkdirSync(fake, { mode: 0o755 });
    chmodSync(fake, 0o755);
    process.env.HOME = fake;
    try {
      const { lines, log } = logs();
      secureStateDir(fake, { log });
      expect(mode(fake)).toBe(0o755);
      expect(lines[0]).toMatch(/home folder.*left alone.*--state-dir/);
    } finally {
      process.env.HOME = home;
    }
  });
});
