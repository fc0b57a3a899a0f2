#!/usr/bin/env node
// `npm test`: every check in order — typecheck, lint, unit + integration tests, then the browser and
// Electron e2e suites — and one closing line `Tests: N passed, N failed, N skipped` for all of them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'test-output');
mkdirSync(outDir, { recursive: true });
const npx = (args) => spawnSync('npx', args, { cwd: root, stdio: 'inherit' }).status === 0;

const totals = { passed: 0, failed: 0, skipped: 0 };
let ok = true;

function step(name, run) {
  process.stdout.write(`\n── ${name}\n`);
  const passed = run();
  if (!passed) {
    ok = false;
    process.stdout.write(`✗ ${name} failed\n`);
  }
}

function vitest(name, config, extra = []) {
  const report = join(outDir, `${name}.json`);
  rmSync(report, { force: true });
  const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, '--passWithNoTests'];
  if (config) args.push('--config', config);
  args.push(...extra);
  step(`vitest ${name}`, () => {
    const passed = npx(args);
    if (existsSync(report)) {
      const r = JSON.parse(readFileSync(report, 'utf8'));
      totals.passed += r.numPassedTests;
      totals.failed += r.numFailedTests;
      totals.skipped += r.numPendingTests + r.numTodoTests;
    } else if (!passed) totals.failed += 1;
    return passed;
  });
}

const only = process.argv[2];
if (!only || only === 'static') {
  step('typecheck', () => npx(['tsc', '-p', 'tsconfig.node.json', '--noEmit']) && npx(['tsc', '-p', 'tsconfig.web.json', '--noEmit']));
  step('lint', () => npx(['eslint', '.']));
}
if (!only || only === 'unit') vitest('unit');
if (!only || only === 'e2e') {
  // The e2e suites drive the built hub and dashboard.
  step('build', () => spawnSync(process.execPath, [join(root, 'scripts/build-headless.mjs')], { cwd: root, stdio: 'inherit' }).status === 0);
  vitest('e2e', 'vitest.e2e.config.ts');
}

process.stdout.write(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(ok && totals.failed === 0 ? 0 : 1);
