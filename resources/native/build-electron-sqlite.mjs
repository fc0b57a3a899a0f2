#!/usr/bin/env node
// Builds better-sqlite3 for the installed Electron's ABI into
// resources/native/better_sqlite3-electron-abi<ABI>-<platform>-<arch>.node, which the desktop app
// passes to better-sqlite3 as `nativeBinding` in development. node_modules keeps its Node build, so
// `npm test` keeps working. Needs network: a prebuilt binary is downloaded (prebuild-install), or
// Electron's headers for a compile from source (node-gyp, needs a C++ toolchain).
// Packaged apps do not need this: electron-builder rebuilds node_modules for Electron itself.
// Usage: node resources/native/build-electron-sqlite.mjs [--arch x64|arm64]
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const modules = join(root, 'node_modules');
const archArg = process.argv.indexOf('--arch');
const arch = archArg > 0 ? process.argv[archArg + 1] : process.arch;
const platform = process.platform;

const electronVersion = JSON.parse(readFileSync(join(modules, 'electron', 'package.json'), 'utf8')).version;

/** Electron's module ABI: asked of the binary when it is installed, else from the package's abi_version file. */
function electronAbi() {
  const bin = (() => {
    const pathFile = join(modules, 'electron', 'path.txt');
    if (!existsSync(pathFile)) return null;
    const p = join(modules, 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(p) ? p : null;
  })();
  if (bin && arch === process.arch) {
    const r = spawnSync(bin, ['-p', 'process.versions.modules'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8' });
    if (r.status === 0 && /^\d+$/.test(r.stdout.trim())) return r.stdout.trim();
  }
  const file = join(modules, 'electron', 'abi_version');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new Error('cannot tell Electron\'s ABI: neither the Electron binary nor node_modules/electron/abi_version is there');
}

function run(cmd, args, cwd) {
  console.log(`$ ${[cmd, ...args].join(' ')}`);
  return spawnSync(cmd, args, { cwd, stdio: 'inherit' }).status === 0;
}

const abi = electronAbi();
const target = join(here, `better_sqlite3-electron-abi${abi}-${platform}-${arch}.node`);
const work = mkdtempSync(join(tmpdir(), 'wactorz-sqlite-electron-'));
try {
  // A private copy, so node_modules/better-sqlite3/build (the Node build the tests use) is untouched.
  const pkg = join(work, 'better-sqlite3');
  for (const part of ['package.json', 'binding.gyp', 'lib', 'src', 'deps']) cpSync(join(modules, 'better-sqlite3', part), join(pkg, part), { recursive: true });
  const built = join(pkg, 'build', 'Release', 'better_sqlite3.node');
  const ok =
    run(process.execPath, [join(modules, 'prebuild-install', 'bin.js'), '--runtime', 'electron', '--target', electronVersion, '--arch', arch, '--platform', platform, '--verbose'], pkg) ||
    run(process.execPath, [join(modules, 'node-gyp', 'bin', 'node-gyp.js'), 'rebuild', '--release', `--target=${electronVersion}`, `--arch=${arch}`, '--dist-url=https://electronjs.org/headers'], pkg);
  if (!ok || !existsSync(built)) {
    console.error('could not get better-sqlite3 for Electron (no network, or no C++ toolchain for the fallback build) — see docs/desktop.md');
    process.exit(1);
  }
  copyFileSync(built, target);
  console.log(`wrote ${target} (Electron ${electronVersion}, ABI ${abi}, ${platform}-${arch})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
