/**
 * REST for the installer:
 *   GET  /installer                 → {packages_dir, npm, installed, allowlist, jobs}
 *   POST /installer/approve         {packages} → {allowlist}           (a person approves)
 *   POST /installer/revoke          {packages} → {allowlist}
 *   POST /installer/install         {packages, agent?} → 200 outcome | 502 failed (a person asks: approved and installed)
 */
import { z } from 'zod';
import type { RoutePlugin } from '../../server/http-app.js';
import { HttpError } from '../../server/http-error.js';
import { validateBody } from '../../server/validate-body.js';
import type { InstallerService } from './installer-service.js';
import { packageListSchema, parsePackageSpec } from './package-spec.js';

const packagesBody = z.object({ packages: packageListSchema });
const installBody = z.object({ packages: packageListSchema, agent: z.string().optional() });

export function installerRoutes(installer: InstallerService): RoutePlugin {
  return async (app) => {
    app.get('/installer', async () => ({
      packages_dir: installer.packagesDir,
      npm: installer.npm(),
      installed: installer.installed(),
      allowlist: await installer.allowed(),
      jobs: installer.recentJobs(),
    }));

    app.post('/installer/approve', async (req) => {
      const { packages } = validateBody(packagesBody, req.body);
      checkSpecs(packages);
      return { allowlist: await installer.approve(packages) };
    });

    app.post('/installer/revoke', async (req) => {
      const { packages } = validateBody(packagesBody, req.body);
      checkSpecs(packages);
      return { allowlist: await installer.revoke(packages) };
    });

    app.post('/installer/install', async (req, reply) => {
      const body = validateBody(installBody, req.body);
      checkSpecs(body.packages);
      const outcome = await installer.install({ packages: body.packages, approvedByUser: true, ...(body.agent ? { agent: body.agent } : {}) });
      return reply.status(outcome.status === 'failed' ? 502 : 200).send(outcome);
    });
  };
}

function checkSpecs(packages: string[]): void {
  const bad: { path: string; message: string }[] = [];
  packages.forEach((p, i) => {
    try {
      parsePackageSpec(p);
    } catch (e) {
      bad.push({ path: `packages.${i}`, message: (e as Error).message });
    }
  });
  if (bad.length) throw new HttpError(400, 'invalid package spec', bad);
}
