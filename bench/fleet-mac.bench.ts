/**
 * fleet-mac: what signing costs a fleet message (src/main/nodes/trust/fleet-mac.ts). Per message,
 * the work a signed task round trip adds at each end: sign (JCS canonical JSON + HMAC-SHA256),
 * serialise, parse, verify (JCS again + HMAC, constant-time compare). Baseline: the same message
 * serialised and parsed without a signature — what each end did before. Messages are a task reply
 * of the size remote-task sends (a small result). The remote-task bench gives the whole round trip;
 * this one isolates the signature's share of it.
 */
import { performance } from 'node:perf_hooks';
import { generateFleetKey, readSigned, signMessage, verifyMac } from '../src/main/nodes/trust/fleet-mac.js';

const N = 50_000;
const RUNS = 5;
const key = generateFleetKey();
const topic = 'wactorz/replies/hub-0123456789ab';
const body = (i: number) => ({ correlation_id: `c-${i}`, task_id: `c-${i}`, ok: true, result: { sum: i + 1 }, agent: 'bench-agent', node: 'bench-node', timestamp: 1_764_000_000 + i / 1000 });

function signed(): number {
  const t = performance.now();
  for (let i = 0; i < N; i++) {
    const raw = Buffer.from(JSON.stringify(signMessage(key, 'node', 'bench-node', topic, i + 1, body(i))));
    const m = readSigned(raw);
    if (!m.ok || !verifyMac(key, 'node', topic, m.auth, m.body)) throw new Error('verify failed');
  }
  return N / ((performance.now() - t) / 1000);
}

function plain(): number {
  const t = performance.now();
  for (let i = 0; i < N; i++) {
    const raw = Buffer.from(JSON.stringify(body(i)));
    const m = JSON.parse(raw.toString('utf8')) as { ok?: unknown };
    if (m.ok !== true) throw new Error('parse failed');
  }
  return N / ((performance.now() - t) / 1000);
}

signed();
plain();
const s: number[] = [];
const p: number[] = [];
for (let r = 0; r < RUNS; r++) {
  s.push(signed());
  p.push(plain());
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = median(s);
const mp = median(p);
process.stderr.write(`signed ${(1e6 / ms).toFixed(1)} µs/message, plain ${(1e6 / mp).toFixed(1)} µs/message\n`);
process.stdout.write(`BENCH fleet-mac ${ms.toFixed(0)} messages/s baseline=${mp.toFixed(0)} ratio=${(ms / mp).toFixed(3)}\n`);
