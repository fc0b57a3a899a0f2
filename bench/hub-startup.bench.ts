/**
 * hub-startup: ms from process start to every core actor's first heartbeat, for the built headless
 * hub (`node out/headless/cli.js`). Baseline: a bare `node -e ""` start in the same run.
 * Target: ≤ 1000 ms.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
spawnSync(process.execPath, [join(root, 'scripts/build-headless.mjs'), '--quiet'], { cwd: root, stdio: 'inherit' });

function bareNodeMs(): number {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '']);
  return performance.now() - t0;
}

function startOnce(): Promise<{ wallMs: number; reportedMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'wz-bench-start-'));
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(root, 'out/headless/cli.js'), '--state-dir', dir, '--mqtt-port', '0', '--monitor-port', '0', '--interface', 'rest', '--port', '0', '--llm', 'none'], {
    env: { ...process.env, WACTORZ_STARTUP_REPORT: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no startup report within 15 s:\n${out}`)), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /startup: (\d+) ms/.exec(out);
      if (m) {
        clearTimeout(timer);
        const wallMs = performance.now() - t0;
        child.kill('SIGTERM');
        child.on('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve({ wallMs, reportedMs: Number(m[1]) });
        });
      }
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const runs: number[] = [];
const bare: number[] = [];
for (let i = 0; i < 7; i++) {
  bare.push(bareNodeMs());
  runs.push((await startOnce()).wallMs);
}
const value = median(runs);
const baseline = median(bare);
console.log(`BENCH hub-startup ${value.toFixed(0)} ms baseline=${baseline.toFixed(0)} ratio=${(value / baseline).toFixed(2)}`);
