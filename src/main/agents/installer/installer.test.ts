/**
 * The installer with the real npm (the one next to this Node, run by process.execPath) against the
 * npm registry, into a temp state dir; progress over the embedded broker; the installed package
 * bundled and imported by an agent in the real sandbox.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSandboxedAgent } from '../dynamic/sandbox/index.js';
import { RecordingHost } from '../dynamic/sandbox/testing/recording-host.js';
import { AskError } from '../../core/errors.js';
import type { Json, RecipeHub } from '../catalog/testing/recipe-hub.js';
import { recipeTest } from '../../testing/hub-fixture.js';
import { serveRoutes } from '../catalog/testing/serve-routes.js';
import { InstallerAgent } from './installer-agent.js';
import { type InstallerService, INSTALLER_PROGRESS_TOPIC } from './installer-service.js';
import { installerRoutes } from './installer-routes.js';
import { npmCommand, resolveNpmCli } from './npm-cli.js';
import { modulesFor } from './package-modules.js';
import { parsePackageSpec } from './package-spec.js';
import { waitUntil } from '../../testing/wait.js';

describe('npm resolution and package specs', { timeout: 120_000 }, () => {
  it('finds the npm next to this Node and runs it with the host binary', () => {
    const found = resolveNpmCli({ execPath: process.execPath, env: {}, platform: process.platform });
    expect(found).not.toBeNull();
    expect(existsSync(found!.cli)).toBe(true);
    const cmd = npmCommand(found!.cli, ['--version'], { execPath: process.execPath, env: { PATH: '/x' }, platform: process.platform });
    expect(cmd.command).toBe(process.execPath);
    expect(cmd.args).toEqual([found!.cli, '--version']);
    expect(cmd.env.ELECTRON_RUN_AS_NODE).toBeUndefined();
  });

  it('under Electron: ELECTRON_RUN_AS_NODE=1; WACTORZ_NPM_CLI wins; nothing found → null', () => {
    const cli = resolveNpmCli()!.cli;
    expect(npmCommand(cli, [], { execPath: '/opt/Wactorz/wactorz', electron: '45.5.0', env: {}, platform: 'linux' }).env.ELECTRON_RUN_AS_NODE).toBe('1');
    expect(resolveNpmCli({ execPath: '/nowhere/bin/node', env: { WACTORZ_NPM_CLI: cli }, platform: 'linux' })).toEqual({ cli, source: 'WACTORZ_NPM_CLI' });
    expect(resolveNpmCli({ execPath: '/nowhere/bin/node', env: {}, platform: 'linux' })).toBeNull();
  });

  it('accepts registry packages only', () => {
    expect(parsePackageSpec('is-number@7.0.0')).toEqual({ name: 'is-number', range: '7.0.0', spec: 'is-number@7.0.0' });
    expect(parsePackageSpec('@scope/pkg@^1.2')).toEqual({ name: '@scope/pkg', range: '^1.2', spec: '@scope/pkg@^1.2' });
    expect(parsePackageSpec('lodash')).toEqual({ name: 'lodash', range: '', spec: 'lodash' });
    for (const bad of ['git+https://github.com/x/y.git', 'https://evil.example/x.tgz', 'file:../x', '../local', 'npm:other@1', 'Bad Name', 'x@1.0;rm -rf']) {
      expect(() => parsePackageSpec(bad), bad).toThrow();
    }
  });
});

recipeTest.override('recipeHubOptions', { timeseries: false });

describe('InstallerService and InstallerAgent (real npm, real registry)', { timeout: 300_000 }, () => {
  let hub: RecipeHub;
  let installer: InstallerService;
  recipeTest.beforeAll(async ({ hub: started }) => {
    hub = started;
    installer = hub.installer;
    await hub.system.spawn(new InstallerAgent(installer));
  }, 120_000);

  it('refuses packages that are not approved (over the bus too), then installs is-number@7.0.0 once approved', async () => {
    const progress = await hub.collect(INSTALLER_PROGRESS_TOPIC);
    const logs = await hub.collect(`agents/${hub.system.get('installer')!.actorId}/logs`);

    const refused = await installer.install({ packages: ['is-number@7.0.0'], agent: 'llm-agent' });
    expect(refused).toMatchObject({ status: 'needs_approval', packages: ['is-number@7.0.0'] });
    expect(refused.message).toMatch(/POST \/installer\/approve/);
    const err = await hub.system.ask('installer', { packages: ['is-number@7.0.0'], agent: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AskError);
    expect((err as AskError).kind).toBe('needs_approval');
    expect(existsSync(join(hub.stateDir, 'packages', 'node_modules', 'is-number'))).toBe(false);

    expect(await installer.approve(['is-number@7.0.0'])).toEqual(['is-number@7.0.0']);
    const r = await hub.system.ask<Json>('installer', { packages: ['is-number@7.0.0'], agent: 'tester' }, 240_000);
    expect(r).toMatchObject({ status: 'installed', installed: [{ name: 'is-number', version: '7.0.0' }] });
    const pkg = JSON.parse(readFileSync(join(hub.stateDir, 'packages', 'node_modules', 'is-number', 'package.json'), 'utf8'));
    expect(pkg.version).toBe('7.0.0');
    expect(installer.installed()).toEqual([{ name: 'is-number', version: '7.0.0' }]);

    await waitUntil(() => progress.some((p) => p.payload.status === 'done'), 'done on installer/progress');
    const mine = progress.filter((p) => p.payload.job_id === r.job_id).map((p) => p.payload.status);
    expect(mine[0]).toBe('pending');
    expect(mine).toContain('running');
    expect(mine.at(-1)).toBe('done');
    expect(progress.find((p) => p.payload.status === 'needs_approval')!.payload).toMatchObject({ packages: ['is-number@7.0.0'], agent: 'llm-agent' });
    await waitUntil(() => logs.some((l) => l.payload.type === 'job_done'), 'the job_done log entry');
    expect(logs.filter((l) => l.payload.type === 'install').length).toBeGreaterThanOrEqual(3);
    expect(logs.find((l) => l.payload.type === 'job_done')!.payload).toMatchObject({ job_kind: 'install', job_id: r.job_id, ok: true, message: 'installed is-number@7.0.0' });

    // Asking again: already there, no npm run.
    expect(await installer.install({ packages: ['is-number@7.0.0'] })).toMatchObject({ status: 'installed', message: 'already installed: is-number@7.0.0' });
  });

  it('the installed package is bundled for the sandbox and imported by agent code', async () => {
    const modules = await modulesFor(installer.packagesDir, ['is-number@7.0.0']);
    const agent = await createSandboxedAgent({
      name: 'uses-is-number',
      code: `import isNumber from 'is-number';\nexport async function handleTask(agent, p) { return p.map((v) => isNumber(v)); }`,
      host: new RecordingHost(),
      modules,
    });
    try {
      await agent.setup();
      expect(await agent.handleTask(['5', 'five', 3.2, ''])).toEqual([true, false, true, false]);
    } finally {
      await agent.terminate();
    }
  });

  it('a failing install gives npm’s reason and a failed job_done', async () => {
    const logs = await hub.collect(`agents/${hub.system.get('installer')!.actorId}/logs`);
    const name = 'wactorz-surely-missing-package-0x7f3a';
    await installer.approve([name]);
    const r = await installer.install({ packages: [`${name}@1.0.0`], agent: 'tester' });
    expect(r.status).toBe('failed');
    if (r.status !== 'failed') return;
    expect(r.error).toMatch(/404|not found|Not Found/i);
    await waitUntil(() => logs.some((l) => l.payload.type === 'job_done' && l.payload.ok === false), 'a failed job_done');
  });

  it('REST: approve, list, install as a person; bad specs are 400', async () => {
    const base = await serveRoutes(hub, [installerRoutes(installer)]);
    const post = (path: string, body: unknown): Promise<Response> => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const approved = await post('/installer/approve', { packages: ['left-pad@1.3.0'] });
    expect(approved.status).toBe(200);
    expect(((await approved.json()) as Json).allowlist).toContain('left-pad@1.3.0');
    const bad = await post('/installer/approve', { packages: ['git+https://x/y.git'] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).detail[0].message).toMatch(/only packages from the npm registry/);
    const info: Json = await (await fetch(`${base}/installer`)).json();
    expect(info.installed).toEqual([{ name: 'is-number', version: '7.0.0' }]);
    expect(info.npm.cli).toMatch(/npm-cli\.js$/);
    const revoked = await post('/installer/revoke', { packages: ['left-pad'] });
    expect(((await revoked.json()) as Json).allowlist).not.toContain('left-pad@1.3.0');
  });
});
