/**
 * Reads the recipes in `catalogue_agents/`: one folder per recipe with `manifest.json` and the
 * module (`agent.ts` or `agent.js`). A broken recipe (unreadable manifest, schema errors, no
 * module, an unusable config schema, a name that does not match its folder) is reported in
 * `problems` and left out; it never stops the others from loading. `_lib/` holds source that
 * recipes share (manifest `includes`): it is placed before the recipe's own code at load time.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { toError } from '../../core/errors.js';
import type { AgentLanguage } from '../dynamic/sandbox/index.js';
import { describeIssues, recipeManifestSchema, type RecipeManifest } from './recipe-manifest.js';
import { compileJsonSchemaOrThrow } from '../../../shared/json-schema.js';
import { compileConfigSchema, secretFields } from './recipe-config.js';

export interface Recipe {
  manifest: RecipeManifest;
  code: string;
  language: AgentLanguage;
  dir: string;
  /** The config validator (from `config_schema`). */
  validator: z.ZodType<Record<string, unknown>>;
  /** Config fields that go to `agent.env`. */
  secrets: string[];
}

export interface RecipeProblem {
  recipe: string;
  error: string;
}

export interface LoadedRecipes {
  recipes: Recipe[];
  problems: RecipeProblem[];
}

const MODULE_FILES: ReadonlyArray<[string, AgentLanguage]> = [
  ['agent.ts', 'typescript'],
  ['agent.js', 'javascript'],
  ['agent.mjs', 'javascript'],
];

/** Where shared recipe source lives, beside the recipes. */
const LIB_DIR = '_lib';

/** The module with its `includes` placed before it, each marked so a reader knows where it came from. */
function withIncludes(code: string, includes: readonly string[], libDir: string, language: AgentLanguage): string {
  if (includes.length === 0) return code;
  const ext = language === 'typescript' ? 'ts' : 'js';
  const parts = includes.map((name) => {
    const file = join(libDir, `${name}.${ext}`);
    if (!existsSync(file)) throw new Error(`includes "${name}": no ${LIB_DIR}/${name}.${ext} beside the recipes`);
    return `// ── included from ${LIB_DIR}/${name}.${ext} ──\n${readFileSync(file, 'utf8').trimEnd()}\n`;
  });
  return `${parts.join('\n')}\n// ── the recipe ──\n${code}`;
}

export function loadRecipes(dir: string): LoadedRecipes {
  const recipes: Recipe[] = [];
  const problems: RecipeProblem[] = [];
  if (!existsSync(dir)) return { recipes, problems: [{ recipe: '(catalog)', error: `the recipe folder ${dir} does not exist` }] };
  for (const entry of readdirSync(dir).sort()) {
    const folder = join(dir, entry);
    if (entry.startsWith('.') || entry === LIB_DIR || !statSync(folder).isDirectory()) continue;
    try {
      recipes.push(loadRecipe(folder, entry));
    } catch (e) {
      problems.push({ recipe: entry, error: toError(e).message });
    }
  }
  return { recipes, problems };
}

export function loadRecipe(folder: string, folderName: string): Recipe {
  const manifestPath = join(folder, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error('no manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    throw new Error(`manifest.json is not valid JSON: ${toError(e).message}`);
  }
  const parsed = recipeManifestSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`manifest.json: ${describeIssues(parsed.error)}`);
  const manifest = parsed.data;
  if (manifest.name !== folderName) throw new Error(`manifest name "${manifest.name}" differs from its folder "${folderName}"`);
  // A host recipe is an agent built into the hub (its spawn type builds it): no module to load.
  const moduleFile: readonly [string, AgentLanguage] | undefined = manifest.runtime === 'host' ? ['', 'typescript'] : MODULE_FILES.find(([f]) => existsSync(join(folder, f)));
  if (!moduleFile) throw new Error(`no module (${MODULE_FILES.map(([f]) => f).join(' or ')})`);
  const code = moduleFile[0] ? withIncludes(readFileSync(join(folder, moduleFile[0]), 'utf8'), manifest.includes, join(folder, '..', LIB_DIR), moduleFile[1]) : '';
  let validator: z.ZodType<Record<string, unknown>>;
  try {
    validator = compileConfigSchema(manifest.config_schema);
  } catch (e) {
    throw new Error(`config_schema is not usable: ${toError(e).message}`);
  }
  // A default that its own field refuses would make the recipe impossible to spawn without config.
  for (const [key, prop] of Object.entries(manifest.config_schema.properties)) {
    if (prop.default === undefined) continue;
    if (!compileJsonSchemaOrThrow(prop).safeParse(prop.default).success) {
      throw new Error(`config_schema: the default of "${key}" does not satisfy its own schema`);
    }
  }
  return { manifest, code, language: moduleFile[1], dir: folder, validator, secrets: secretFields(manifest.config_schema) };
}

/** What lists show (REST, MQTT, the planner's prompt): the manifest without the code. */
export function recipeSummary(r: Recipe): Record<string, unknown> {
  const m = r.manifest;
  return {
    name: m.name,
    title: m.title ?? m.name,
    version: m.version,
    description: m.description,
    ...(m.category ? { category: m.category } : {}),
    tags: m.tags,
    inputs: m.inputs,
    outputs: m.outputs,
    dependencies: m.dependencies,
    config_schema: m.config_schema,
    capabilities: m.capabilities,
    optional_capabilities: m.optional_capabilities,
    publishes: m.publishes,
    poll_interval: m.poll_interval,
    language: r.language,
    runtime: m.runtime,
  };
}
