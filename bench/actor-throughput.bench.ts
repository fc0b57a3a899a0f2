/**
 * actor-throughput: messages/s through actor mailboxes against a raw baseline in the same process.
 *
 *  - `actor-throughput`: one sender → one receiver. The sender's handler `send`s bursts of TASKs
 *    to the receiver with credit-based flow control (the receiver `send`s back one credit per
 *    burst; WINDOW bursts in flight), since the inbox is bounded and `send` refuses when it is
 *    full. The receiver's handler is synchronous. Only the TASKs count as messages.
 *  - `actor-throughput-ring`: 100 actors in a ring pass one token N times around; each hop is a
 *    `send` to the next actor.
 *
 * Baselines (what the same work costs without an actor runtime): a plain array queue of message
 * objects drained by calling a handler function — a burst pushed then drained for the first, a
 * single queue of hops for the ring. Both build a message object per message, as `send` does.
 *
 * The system runs on a bus that drops everything (the runtime publishes nothing per message; this
 * keeps spawn-time telemetry out of the picture) and a real Persistence in a temp dir. Each figure
 * is the median of several timed runs after warm-up runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from '../src/shared/message.js';
import type { Bus } from '../src/main/core/bus.js';
import { Actor } from '../src/main/core/actor.js';
import { ActorSystem } from '../src/main/core/actor-system.js';
import { openPersistence } from '../src/main/persistence/open-persistence.js';

const PAIR_MESSAGES = 2_000_000;
const BURST = 1_000;
/** Bursts in flight (4 000 messages: well inside the default 10 000-message inbox). */
const WINDOW = 4;
const RING_SIZE = 100;
const RING_LAPS = 10_000; // 1,000,000 hops
const WARMUPS = 2;
const RUNS = 7;

const nullBus: Bus = {
  state: 'connected',
  publish() {},
  subscribe: () => () => {},
  ready: async () => {},
  close: async () => {},
};

const gc = (globalThis as { gc?: () => void }).gc;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

type Run = () => Promise<number> | number;

/**
 * Runs the actor case and its baseline alternately (so both see the same machine load, which
 * matters on a shared 2-core box), after warm-ups; returns the median rate of each.
 */
async function measurePair(label: string, actor: Run, raw: Run): Promise<{ actor: number; raw: number }> {
  for (let i = 0; i < WARMUPS; i++) {
    await raw();
    await actor();
  }
  const a: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    gc?.();
    r.push(await raw());
    gc?.();
    a.push(await actor());
  }
  const fmt = (xs: number[]) => xs.map((x) => (x / 1e6).toFixed(2)).join(', ');
  process.stderr.write(`${label}: actor [${fmt(a)}] M msgs/s, raw [${fmt(r)}] M msgs/s\n`);
  return { actor: median(a), raw: median(r) };
}

// ── one sender → one receiver ───────────────────────────────────────────────

class Receiver extends Actor {
  count = 0;
  target = 0;
  done: (() => void) | undefined;
  protected override handleMessage(): void {
    const c = ++this.count;
    if (c === this.target) this.done?.();
    else if (c % BURST === 0) this.send('sender', 'COMMAND', null); // credit: one more burst
  }
}

/** Sends bursts with credit-based flow control, so the receiver's bounded inbox never overflows. */
class Sender extends Actor {
  left = 0;
  protected override handleMessage(msg: Message): void {
    const bursts = msg.payload === 'go' ? WINDOW : 1;
    for (let b = 0; b < bursts && this.left > 0; b++) {
      const n = Math.min(BURST, this.left);
      for (let i = 0; i < n; i++) if (!this.send('receiver', 'TASK', i)) throw new Error('receiver refused a message');
      this.left -= n;
    }
  }
}

async function actorPair(system: ActorSystem): Promise<number> {
  const receiver = system.get('receiver') as Receiver;
  const sender = system.get('sender') as Sender;
  receiver.count = 0;
  receiver.target = PAIR_MESSAGES;
  sender.left = PAIR_MESSAGES;
  const finished = new Promise<void>((r) => (receiver.done = r));
  const t0 = performance.now();
  system.deliver({ id: 'go', type: 'COMMAND', sender: 'bench', recipient: 'sender', payload: 'go', ts: Date.now() });
  await finished;
  return PAIR_MESSAGES / ((performance.now() - t0) / 1000);
}

/** Plain array queue, drained by a function call: what a burst costs without actors. */
function rawPair(): number {
  let count = 0;
  let seq = 0;
  const handle = (_m: Message): void => {
    count++;
  };
  const queue: Message[] = [];
  const t0 = performance.now();
  let left = PAIR_MESSAGES;
  while (left > 0) {
    const n = Math.min(BURST, left);
    for (let i = 0; i < n; i++) queue.push({ id: String(++seq), type: 'TASK', sender: 'sender', recipient: 'receiver', payload: i, ts: Date.now() });
    left -= n;
    for (let i = 0; i < queue.length; i++) handle(queue[i]!);
    queue.length = 0;
  }
  const rate = PAIR_MESSAGES / ((performance.now() - t0) / 1000);
  if (count !== PAIR_MESSAGES) throw new Error(`raw pair lost messages: ${count}`);
  return rate;
}

// ── 100 actors in a ring ────────────────────────────────────────────────────

class RingNode extends Actor {
  next = '';
  hops = 0;
  done: (() => void) | undefined;
  protected override handleMessage(msg: Message): void {
    const left = msg.payload as number;
    if (left === 0) {
      this.done?.();
      return;
    }
    this.send(this.next, 'TASK', left - 1);
  }
}

async function actorRing(system: ActorSystem, nodes: RingNode[]): Promise<number> {
  const hops = RING_SIZE * RING_LAPS;
  const finished = new Promise<void>((r) => {
    for (const n of nodes) n.done = r;
  });
  const t0 = performance.now();
  system.deliver({ id: 'token', type: 'TASK', sender: 'bench', recipient: nodes[0]!.name, payload: hops, ts: Date.now() });
  await finished;
  return hops / ((performance.now() - t0) / 1000);
}

function rawRing(): number {
  const hops = RING_SIZE * RING_LAPS;
  let seq = 0;
  let finished = false;
  const queue: Message[] = [];
  const handlers: ((m: Message) => void)[] = [];
  for (let i = 0; i < RING_SIZE; i++) {
    const next = `ring-${(i + 1) % RING_SIZE}`;
    handlers.push((m) => {
      const left = m.payload as number;
      if (left === 0) {
        finished = true;
        return;
      }
      queue.push({ id: String(++seq), type: 'TASK', sender: m.recipient, recipient: next, payload: left - 1, ts: Date.now() });
    });
  }
  const index = new Map(handlers.map((h, i) => [`ring-${i}`, h]));
  const t0 = performance.now();
  queue.push({ id: 'token', type: 'TASK', sender: 'bench', recipient: 'ring-0', payload: hops, ts: Date.now() });
  for (let m = queue.shift(); m !== undefined; m = queue.shift()) index.get(m.recipient)!(m);
  const rate = hops / ((performance.now() - t0) / 1000);
  if (!finished) throw new Error('raw ring did not finish');
  return rate;
}

// ── main ────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'wz-bench-'));
  const persistence = await openPersistence({ stateDir });
  const system = new ActorSystem({ bus: nullBus, persistence, heartbeatMs: 3_600_000, onLog: (a, level, m) => process.stderr.write(`[${a.name}] ${level}: ${m}\n`) });
  try {
    await system.spawn(new Receiver({ name: 'receiver' }));
    await system.spawn(new Sender({ name: 'sender' }));
    const nodes: RingNode[] = [];
    for (let i = 0; i < RING_SIZE; i++) {
      const n = new RingNode({ name: `ring-${i}` });
      n.next = `ring-${(i + 1) % RING_SIZE}`;
      nodes.push(await system.spawn(n));
    }

    const pair = await measurePair('pair', () => actorPair(system), rawPair);
    const ring = await measurePair('ring', () => actorRing(system, nodes), rawRing);

    const line = (name: string, v: number, b: number) =>
      `BENCH ${name} ${Math.round(v)} msgs/s baseline=${Math.round(b)} ratio=${(v / b).toFixed(2)}`;
    process.stdout.write(`${line('actor-throughput', pair.actor, pair.raw)}\n${line('actor-throughput-ring', ring.actor, ring.raw)}\n`);
  } finally {
    await system.shutdown();
    await persistence.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await main();
