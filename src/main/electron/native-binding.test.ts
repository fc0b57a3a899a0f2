import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { electronSqliteFileName, nativeBindingCandidates, resolveNativeBinding } from './native-binding.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wactorz-native-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ctx = (over: Partial<Parameters<typeof resolveNativeBinding>[0]> = {}) => ({
  isPackaged: false,
  resourcesPath: join(dir, 'res'),
  appPath: join(dir, 'app'),
  platform: 'linux',
  arch: 'x64',
  abi: '140',
  env: {},
  ...over,
});

async function touch(path: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, 'not really a binary');
}

describe('better-sqlite3 build for Electron', () => {
  it('in development: the per-ABI file under resources/native, when it was built', async () => {
    expect(resolveNativeBinding(ctx())).toBeUndefined();
    const built = join(dir, 'app', 'resources', 'native', 'better_sqlite3-electron-abi140-linux-x64.node');
    await touch(built);
    expect(resolveNativeBinding(ctx())).toBe(built);
    // A build for another Electron (ABI) is not picked.
    expect(resolveNativeBinding(ctx({ abi: '139' }))).toBeUndefined();
  });

  it('packaged: the module electron-builder rebuilt and unpacked from the asar', async () => {
    const unpacked = join(dir, 'res', 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    expect(nativeBindingCandidates(ctx({ isPackaged: true }))).toEqual([unpacked]);
    await touch(unpacked);
    expect(resolveNativeBinding(ctx({ isPackaged: true }))).toBe(unpacked);
  });

  it('WACTORZ_SQLITE_BINDING comes first', async () => {
    const custom = join(dir, 'custom.node');
    await touch(custom);
    await touch(join(dir, 'app', 'resources', 'native', electronSqliteFileName('140', 'linux', 'x64')));
    expect(resolveNativeBinding(ctx({ env: { WACTORZ_SQLITE_BINDING: custom } }))).toBe(custom);
  });

  it('names files by ABI, platform and architecture', () => {
    expect(electronSqliteFileName('140', 'win32', 'arm64')).toBe('better_sqlite3-electron-abi140-win32-arm64.node');
  });
});
