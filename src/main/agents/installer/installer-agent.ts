/**
 * InstallerAgent ('installer', protected): the installer on the bus. A TASK
 * `{packages, agent?, recipe?}` (or with `action: 'install'`) installs packages that are on the
 * allowlist; others are refused with ERROR kind `needs_approval` listing them. Approval is never
 * possible over the bus (agents could approve themselves): only a person, through REST.
 *
 *   {action: 'install', packages, agent?, recipe?} → {status: 'installed', installed, job_id, duration_s}
 *   {action: 'list'}                               → {installed, allowlist, packages_dir, npm}
 *   {action: 'jobs'}                               → {jobs}
 */
import { z } from 'zod';
import { Actor } from '../../core/actor.js';
import { TaskError } from '../../core/errors.js';
import { INSTALLER_PROGRESS_TOPIC, type InstallerService } from './installer-service.js';

export const INSTALLER_AGENT = 'installer';

const installSchema = z.object({
  action: z.literal('install').optional(),
  packages: z.preprocess((v) => (typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v), z.array(z.string().min(1)).min(1).max(50)),
  agent: z.string().optional(),
  recipe: z.string().optional(),
});
const otherSchema = z.object({ action: z.enum(['list', 'jobs']) });

export class InstallerAgent extends Actor {
  constructor(private readonly installer: InstallerService) {
    super({
      name: INSTALLER_AGENT,
      protected: true,
      description: 'Installs the npm packages that recipes and generated agents declare (user-approved allowlist)',
      capabilities: ['install_packages'],
      publishes: [INSTALLER_PROGRESS_TOPIC],
      inputSchema: { actions: ['install', 'list', 'jobs'] },
    });
  }

  protected override async handleTask(payload: unknown): Promise<unknown> {
    const other = otherSchema.safeParse(payload);
    if (other.success) {
      if (other.data.action === 'jobs') return { jobs: this.installer.recentJobs() };
      return { installed: this.installer.installed(), allowlist: await this.installer.allowed(), packages_dir: this.installer.packagesDir, npm: this.installer.npm() };
    }
    const r = installSchema.safeParse(payload);
    if (!r.success) throw new TaskError(`installer tasks: {"packages": ["name@version"], "agent"?: "…"} or {"action": "list" | "jobs"}; ${r.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`, 'bad_input');
    const outcome = await this.installer.install({ packages: r.data.packages, ...(r.data.agent ? { agent: r.data.agent } : {}), ...(r.data.recipe ? { recipe: r.data.recipe } : {}) });
    if (outcome.status === 'needs_approval') throw new TaskError(outcome.message, 'needs_approval', { packages: outcome.packages });
    if (outcome.status === 'failed') throw new TaskError(outcome.message, 'install_failed', { packages: outcome.packages, job_id: outcome.job_id });
    return outcome;
  }
}
