/**
 * Installed packages as sources the DynamicAgent sandbox can import. The sandbox has no module
 * resolution of its own (it only takes `modules: {specifier: source}`), so each package is bundled
 * by esbuild into one ES module — its own dependencies included, CommonJS wrapped, with a default
 * export (and named exports for ES packages). Only the packages folder is searched; Node builtins
 * are not available to the bundle, so a package that needs them fails here with esbuild's reason.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parsePackageSpec } from './package-spec.js';

const cache = new Map<string, string>();

/**
 * esbuild is loaded at run time from node_modules, never bundled: its JS API finds its native
 * binary next to itself (the headless build bundles pure-JS dependencies, which would break that).
 */
function esbuild(): typeof import('esbuild') {
  return createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
}

export async function bundlePackage(packagesDir: string, specifier: string): Promise<string> {
  const key = `${packagesDir}\0${specifier}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const quoted = JSON.stringify(specifier);
  const result = await esbuild().build({
    stdin: { contents: `export * from ${quoted};\nexport { default } from ${quoted};\n`, resolveDir: packagesDir, loader: 'js', sourcefile: `${specifier}.entry.js` },
    nodePaths: [join(packagesDir, 'node_modules')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['import', 'default'],
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  }).catch((e: unknown) => {
    const errors = (e as { errors?: { text: string }[] }).errors;
    throw new Error(`cannot prepare ${specifier} for the sandbox: ${errors?.map((x) => x.text).join('; ') ?? (e as Error).message}`);
  });
  const source = result.outputFiles[0]!.text;
  cache.set(key, source);
  return source;
}

/** `{specifier: source}` for the packages an agent declares (`install` list, names with or without versions). */
export async function modulesFor(packagesDir: string, specs: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const s of specs) {
    const { name } = parsePackageSpec(s);
    out[name] = await bundlePackage(packagesDir, name);
  }
  return out;
}

/** Forget bundles (after an install changed the folder). */
export function clearBundleCache(): void {
  cache.clear();
}
