/**
 * CatalogAgent ('catalog', protected): the catalog on the bus. It publishes a retained summary of
 * the recipes on `catalog/recipes` (at start and after every reload) and answers tasks:
 *
 *   {action: 'list'}                                     → {recipes: [summary…], problems}
 *   {action: 'get', recipe}                              → summary + code
 *   {action: 'spawn', recipe, name?, config?, replace?}  → CatalogSpawnResult (dependencies must be on the allowlist)
 *   {action: 'reload'}                                   → {recipes, problems}
 *
 * Spawns asked over the bus come from agents or LLM output, so they never approve packages and
 * never grant optional capabilities; a person does that through REST (see catalog-routes.ts).
 * A code agent (dynamic or catalog) may spawn only with the `spawn_recipes` capability: otherwise
 * an agent without `fetch` could get a webhook-notifier to post for it.
 */
import { z } from 'zod';
import type { Message } from '../../../shared/message.js';
import { Actor } from '../../core/actor.js';
import { TaskError } from '../../core/errors.js';
import { nowSeconds } from '../../persistence/stores/json-column.js';
import type { CatalogService } from './catalog-service.js';
import { CatalogError } from './catalog-errors.js';
import { recipeSummary } from './recipe-loader.js';

export const CATALOG_AGENT = 'catalog';
export const CATALOG_RECIPES_TOPIC = 'catalog/recipes';
/** What a code agent needs to spawn recipes through the catalog. */
export const SPAWN_RECIPES_CAPABILITY = 'spawn_recipes';

const taskSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('list') }),
  z.object({ action: z.literal('get'), recipe: z.string().min(1) }),
  z.object({
    action: z.literal('spawn'),
    recipe: z.string().min(1),
    name: z.string().optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    replace: z.boolean().optional(),
  }),
  z.object({ action: z.literal('reload') }),
]);

export class CatalogAgent extends Actor {
  private offChange: (() => void) | undefined;

  constructor(private readonly catalog: CatalogService) {
    super({
      name: CATALOG_AGENT,
      protected: true,
      description: 'Recipe library (catalogue_agents/): lists ready-made agents and spawns them with a config',
      capabilities: ['catalog', 'spawn_recipes'],
      publishes: [CATALOG_RECIPES_TOPIC],
      inputSchema: { actions: ['list', 'get', 'spawn', 'reload'] },
    });
  }

  protected override onStart(): void {
    this.publishSummary();
    this.offChange = this.catalog.onChange(() => this.publishSummary());
  }

  protected override onStop(): void {
    this.offChange?.();
  }

  protected override async handleTask(payload: unknown, msg: Message): Promise<unknown> {
    const r = taskSchema.safeParse(payload);
    if (!r.success) {
      throw new TaskError(`catalog tasks: {"action": "list" | "get" | "spawn" | "reload", …}; ${r.error.issues.map((i) => `${i.path.join('.') || 'action'}: ${i.message}`).join('; ')}`, 'bad_input');
    }
    const t = r.data;
    try {
      switch (t.action) {
        case 'list':
          return { recipes: this.catalog.summaries(), problems: this.catalog.problems };
        case 'get': {
          const recipe = this.catalog.require(t.recipe);
          return { ...recipeSummary(recipe), code: recipe.code };
        }
        case 'spawn':
          this.assertMaySpawn(msg.sender);
          // Whoever asks over the bus is counted as that actor (the spawn cap per parent) and gets the safe default.
          return await this.catalog.spawn(t.recipe, { name: t.name, config: t.config, replace: t.replace }, 'agent', { kind: 'agent', name: msg.sender, via: 'catalog' });
        case 'reload': {
          const { recipes, problems } = this.catalog.reload();
          return { recipes, problems };
        }
      }
    } catch (e) {
      if (e instanceof CatalogError) throw new TaskError(e.message, e.kind, e.detail);
      throw e;
    }
  }

  private assertMaySpawn(sender: string): void {
    const actor = this.system.get(sender);
    if (!actor || (actor.kind !== 'dynamic' && actor.kind !== 'catalog')) return;
    if (!actor.capabilities.map((c) => c.toLowerCase()).includes(SPAWN_RECIPES_CAPABILITY)) {
      throw new TaskError(`${sender} may not spawn recipes: it needs the "${SPAWN_RECIPES_CAPABILITY}" capability`, 'refused');
    }
  }

  private publishSummary(): void {
    const recipes = this.catalog.list().map((r) => {
      const m = r.manifest;
      return { name: m.name, title: m.title ?? m.name, version: m.version, description: m.description, category: m.category ?? null, tags: m.tags, capabilities: m.capabilities, dependencies: m.dependencies, config_schema: m.config_schema };
    });
    this.publish(CATALOG_RECIPES_TOPIC, { recipes, count: recipes.length, problems: this.catalog.problems, timestamp: nowSeconds() }, { retain: true });
  }
}
