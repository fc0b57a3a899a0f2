/**
 * Checks a schema-valid plan against the hub before anything is spawned: recipe names and their
 * configs, generated code (syntax, exports, types), names that are free, Home Assistant being
 * there for actuators, and topic contracts that name the plan's agents. The problems go back to
 * the LLM for its repair round; the spawn order puts consumers before producers, so no event is
 * published before its subscriber listens.
 */
import { topicMatches } from '../../../shared/topics.js';
import type { ActorSystem } from '../../core/actor-system.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import { describeConfigIssues } from '../catalog/recipe-config.js';
import { checkAgentCode, describeDiagnostics } from '../dynamic/code-check.js';
import type { DynamicAgentService } from '../dynamic/dynamic-agent-service.js';
import type { Plan, PlanAgent } from './plan-schema.js';

export interface PlanCheckDeps {
  system: ActorSystem;
  catalog: CatalogService;
  dynamic: DynamicAgentService;
  /** Null when Home Assistant is configured, else why not. */
  homeAssistantMissing: () => string | null;
  pipelineExists: (name: string) => boolean;
}

export interface PlanCheck {
  problems: string[];
  warnings: string[];
  /** Agents in spawn order. */
  order: PlanAgent[];
}

/** Capabilities only a person may grant (LLM plans never get them). */
const USER_ONLY_CAPABILITIES = ['fetch_local'];

export function checkPlan(plan: Plan, deps: PlanCheckDeps): PlanCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  const names = new Set<string>();
  if (deps.pipelineExists(plan.name)) problems.push(`name: a pipeline named "${plan.name}" already exists — choose another name`);
  plan.agents.forEach((a, i) => {
    const at = `agents.${i} (${a.name})`;
    if (names.has(a.name)) problems.push(`${at}: the name is used twice in the plan`);
    names.add(a.name);
    const running = deps.system.get(a.name);
    if (running || deps.dynamic.registry.get(a.name)) problems.push(`${at}: an agent named "${a.name}" already exists — choose another name`);
    const userOnly = a.capabilities.filter((c) => USER_ONLY_CAPABILITIES.includes(c.toLowerCase()));
    if (userOnly.length) warnings.push(`${a.name}: ${userOnly.join(', ')} can only be granted by you, not by a plan; it was left out`);
    switch (a.type) {
      case 'catalog': {
        const recipe = deps.catalog.get(a.recipe ?? '');
        if (!recipe) {
          problems.push(`${at}: there is no recipe "${a.recipe}" (recipes: ${deps.catalog.list().map((r) => r.manifest.name).join(', ')})`);
          break;
        }
        const c = deps.catalog.checkConfig(recipe.manifest.name, a.config ?? {});
        if (!c.ok) problems.push(`${at}: invalid config for recipe ${recipe.manifest.name}: ${describeConfigIssues(c.issues)}`);
        break;
      }
      case 'dynamic': {
        const check = checkAgentCode(a.code ?? '', a.language ?? 'javascript');
        const errors = check.diagnostics.filter((d) => d.severity === 'error');
        if (errors.length) problems.push(`${at}: the code has errors:\n${describeDiagnostics(errors, 5)}`);
        break;
      }
      case 'ha_actuator': {
        const missing = deps.homeAssistantMissing();
        if (missing) problems.push(`${at}: Home Assistant is not configured here (${missing}), so no ha_actuator can be used`);
        break;
      }
      case 'llm':
        break;
    }
  });
  plan.topics.forEach((t, i) => {
    for (const n of [...t.from, ...t.to]) {
      if (!names.has(n) && !deps.system.get(n)) warnings.push(`topics.${i} (${t.topic}): "${n}" is not an agent of the plan or the hub`);
    }
  });
  return { problems, warnings, order: spawnOrder(plan) };
}

/** Consumers before producers (a stable topological order); a cycle keeps the plan's order. */
export function spawnOrder(plan: Plan): PlanAgent[] {
  const agents = plan.agents;
  const before = new Map<string, Set<string>>(agents.map((a) => [a.name, new Set<string>()]));
  const publishes = (a: PlanAgent): string[] => [...a.publishes, ...plan.topics.filter((t) => t.from.includes(a.name)).map((t) => t.topic)];
  const subscribes = (a: PlanAgent): string[] => [...a.subscribes, ...plan.topics.filter((t) => t.to.includes(a.name)).map((t) => t.topic)];
  for (const producer of agents) {
    for (const consumer of agents) {
      if (producer === consumer) continue;
      // The consumer must be up before the producer starts publishing.
      if (publishes(producer).some((topic) => subscribes(consumer).some((pattern) => topicMatches(pattern, topic) || pattern === topic))) before.get(producer.name)!.add(consumer.name);
    }
  }
  const done: PlanAgent[] = [];
  const placed = new Set<string>();
  while (done.length < agents.length) {
    const next = agents.find((a) => !placed.has(a.name) && [...before.get(a.name)!].every((n) => placed.has(n))) ?? agents.find((a) => !placed.has(a.name))!;
    done.push(next);
    placed.add(next.name);
  }
  return done;
}
