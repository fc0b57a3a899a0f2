/**
 * npm packages a spawn spec declares: the installer agent's business when it runs (asked with
 * `{packages, agent}`, never marked user-approved — the list comes from LLM output, so the
 * installer's allowlist decides); otherwise the user is told they were not installed.
 */
import type { ActorSystem } from '../../core/actor-system.js';
import { toError } from '../../core/errors.js';
import type { SpawnSpec } from './spawn-spec.js';

/** Sentences for the user about the packages (none when the spec declares none). */
export async function installForSpec(system: ActorSystem, spec: Pick<SpawnSpec, 'name' | 'install'>): Promise<string[]> {
  if (!spec.install.length) return [];
  const list = spec.install.join(', ');
  const installer = system.get('installer');
  if (!installer || installer.state !== 'running') {
    return [`It asked for npm packages (${list}); they were not installed: packages need the installer agent, which is not running.`];
  }
  try {
    const outcome = (await system.ask('installer', { packages: spec.install, agent: spec.name }, 300_000, 'dynamic-agents')) as { status?: unknown; message?: unknown } | null;
    const said = typeof outcome?.message === 'string' ? outcome.message : '';
    if (outcome?.status === 'installed') return [said || `Installed ${list}.`];
    return [`${list} ${outcome?.status === 'needs_approval' ? 'need your approval before they can be installed' : 'were not installed'}${said ? `: ${said}` : '.'}`];
  } catch (e) {
    return [`Installing ${list} failed: ${toError(e).message}.`];
  }
}
