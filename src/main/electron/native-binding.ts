/**
 * Where a better-sqlite3 build for Electron's ABI is. Electron's Node has another module ABI than
 * the Node that runs the tests, so the app passes an Electron build as `nativeBinding` while
 * node_modules keeps the Node build:
 * 1. WACTORZ_SQLITE_BINDING, when set (an explicit override);
 * 2. packaged app: electron-builder rebuilt node_modules for Electron and unpacked the .node file
 *    from the asar (asarUnpack in electron-builder.yml);
 * 3. development: resources/native/better_sqlite3-electron-abi<ABI>-<platform>-<arch>.node, made by
 *    `node resources/native/build-electron-sqlite.mjs` (docs/desktop.md).
 * None found → undefined, and better-sqlite3 loads its own build (which fails with a message that
 * says to build the Electron one).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface NativeBindingContext {
  isPackaged: boolean;
  /** process.resourcesPath */
  resourcesPath: string;
  /** app.getAppPath(): the project root in development. */
  appPath: string;
  platform: string;
  arch: string;
  /** process.versions.modules (the ABI number). */
  abi: string;
  env: Record<string, string | undefined>;
  exists?: (path: string) => boolean;
}

export function electronSqliteFileName(abi: string, platform: string, arch: string): string {
  return `better_sqlite3-electron-abi${abi}-${platform}-${arch}.node`;
}

export function nativeBindingCandidates(ctx: NativeBindingContext): string[] {
  const out: string[] = [];
  if (ctx.env.WACTORZ_SQLITE_BINDING) out.push(ctx.env.WACTORZ_SQLITE_BINDING);
  if (ctx.isPackaged) {
    out.push(join(ctx.resourcesPath, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'));
  } else {
    out.push(join(ctx.appPath, 'resources', 'native', electronSqliteFileName(ctx.abi, ctx.platform, ctx.arch)));
  }
  return out;
}

export function resolveNativeBinding(ctx: NativeBindingContext): string | undefined {
  const exists = ctx.exists ?? existsSync;
  return nativeBindingCandidates(ctx).find((p) => exists(p));
}
