// @ts-check
/**
 * A sandbox worker thread: it hosts the engines of MANY DynamicAgents (engine.mjs: one WebAssembly
 * instance, memory cap, QuickJS runtime and context per agent) and runs them in turns. The engine is
 * the capability boundary (an agent sees JavaScript built-ins plus the `agent` object the prelude
 * builds, nothing of Node); the thread keeps the hub's event loop free while agents compute.
 *
 * Scheduling: engines with work wait in a FIFO; each gets one turn per round. On a SHARED worker a
 * turn has a CPU budget (`sliceMs`, far below any task deadline): no new stretch of guest code
 * starts after a quarter of it, and a stretch still running when it is spent is interrupted and the
 * turn rolled back (engine.mjs: `overrun`; the hub moves the agent to a worker of its own). So a
 * spinning agent delays a neighbour's task by at most one slice. On a DEDICATED worker (one agent)
 * turns have no budget: only call deadlines bound a stretch, as before the pool.
 *
 * Plain JavaScript on purpose: a worker is started from a file, and this one must load the same
 * way under vitest, tsx and a bundled build (copy this folder next to the bundle).
 *
 * Protocol: arrays of messages both ways, one postMessage per batch; `a` names the engine.
 *   in:  create {a, memoryMb, spares} · load {a, code, meta, modules, callTimeoutMs} · calls {a, list: [[id, hook]…], json: [[id, hook, payload?]…] | one: payload JSON of a lone call
 *        | run: [payload…] of n handleTask calls with ids first…first+n-1 (then no list)}
 *        · reply {a, id, ok, json} · deliver {a, sub, topic, json} · cancel {a, id} · drop {a}
 *   out: loaded {a, exports} · load_failed {a, message, line, column, kind} · results {a, ids: 'id,id…', st: one digit per call (1 value, 2 undefined, 0 error), json: [value|error…]} · done {a, id, ok, kind, json}
 *        · host {a, id?, method, args} · state {a, json} · ack {a, n} · fatal {a, kind, message} · reset {a, kind, message}
 *        · overrun {a, phase, replay: [ids], lost: [ids]} · hog {a} · load {busy} (a = 0: the worker's share of time spent in turns)
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { bootEngine, Engine, engineMemory } from './engine.mjs';

const require = createRequire(import.meta.url);
/** @type {any} */
const core = require(workerData.quickjsCore);
const variantModule = require(workerData.quickjsVariant);
const variant = variantModule.default ?? variantModule;
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

const shared = /** @type {boolean} */ (workerData.shared);
const sliceMs = /** @type {number} */ (workerData.sliceMs);
const initialPages = /** @type {number} */ (workerData.initialPages);
/** Which engine is in a turn right now (0: none): the hub reads it when the thread stops answering. */
const running = new Int32Array(/** @type {SharedArrayBuffer} */ (workerData.running));
/** Consecutive contended full turns after which an agent is reported as needing a worker of its own. */
const HOG_TURNS = 25;
/** Longest stretch of turns between two visits to the event loop. */
const ROUND_MS = 50;
/**
 * Most calls of one batch a turn starts; the rest wait for the agent's next turn, and each turn's
 * results go to the hub at the end of its round. Why: the hub sends everything asked in a tick as
 * one batch (256 pipelined asks, say), and answered all at once it then spent about as long taking
 * the answers and asking again as this thread had spent running them — each side idle while the
 * other worked. Answered in parts, the hub takes one part while this thread runs the next
 * (dynamic-task, same runs: 0.26–0.30 of the built-in against 0.22–0.26 in one part; 32 a turn
 * was slower again, 128 the same as 64).
 */
const CALLS_PER_TURN = 64;

/** @type {Map<number, Engine>} */
const engines = new Map();
/** @type {Engine[]} */
const ready = [];
/** @type {any[]} */
let batch = [];
let loopScheduled = false;
let inLoop = false;
/** The hub's messages are being taken in: a round follows at once. */
let receiving = false;
let turnStart = 0;
let busyMs = 0;
let statsSince = Date.now();

/** @type {import('./engine.mjs').Scheduler} */
const sched = {
  // No new stretch after a quarter of the slice; a stretch is interrupted only at its end: the
  // margin absorbs the thread being descheduled on a loaded machine (the clock is the wall's).
  shouldYield: () => shared && Date.now() - turnStart >= sliceMs / 4,
  yieldAt: () => (shared ? turnStart + sliceMs / 4 : 0),
  callsPerTurn: CALLS_PER_TURN,
  hardEnd: () => (shared ? turnStart + sliceMs : Infinity),
  readEnd: () => (shared ? Math.max(turnStart + sliceMs, Date.now() + sliceMs / 2) : Infinity),
  ready: (engine) => {
    if (engine.queued || engine.dead) return;
    engine.queued = true;
    ready.push(engine);
    schedule();
  },
  direct: (engine, msg) => {
    msg.a = engine.id;
    batch.push(msg);
    schedule();
  },
};

// Spares: engines with the default cap booted ahead of need, so a spawn only loads code.
/** @type {Promise<import('./engine.mjs').Booted>[]} */
const spares = [];
/** How many spares to keep (the pool's setting, sent with every create). */
let sparesWanted = /** @type {number} */ (workerData.spares);
function refill() {
  while (spares.length > sparesWanted) spares.pop();
  // Engines waiting to boot come first: a spare is for the next spawn, they are for this one.
  if (bootQueue.length > 0 || bootInProgress) return;
  while (spares.length < sparesWanted) {
    const p = bootEngine(core, variant, workerData.wasmModule, engineMemory(initialPages, workerData.spareMemoryMb));
    p.catch(() => undefined);
    spares.push(p);
  }
}

// Boots in rounds of BOOT_ROUND, oldest first, a round of turns between two rounds. A boot is ~5 ms
// of the thread (most of it QuickJS compiling the prelude: its bytecode cannot be cached in this
// build); a burst of them (a restore of hundreds of agents) booted all at once held every turn — the
// loads, setups and first tasks of the agents already booted, and the neighbours' tasks — until the
// last was through, and nothing came back to the hub until then (300 agents: the first answered
// after 1.4–3 s). In rounds, agents come back while the rest boot, in the order asked.
/** @type {{ engine: Engine, mem: ReturnType<typeof engineMemory> }[]} */
const bootQueue = [];
let bootInProgress = false;
/**
 * Engines booted together in one round (~5 ms each: a round stays within ROUND_MS). Together, not
 * one by one: one round of turns between two rounds of boots, not between every two boots, keeps the
 * hub's side of a burst in few messages (measured, 300 agents: one boot per round cost ~1.4x the
 * restore's CPU, the hub's thread ~2x).
 */
const BOOT_ROUND = 8;

/** @param {number} id @param {number} memoryMb @param {number} wanted */
function create(id, memoryMb, wanted) {
  if (typeof wanted === 'number' && wanted >= 0) sparesWanted = Math.min(wanted, 8);
  const engine = new Engine(id, sched, shared);
  engines.set(id, engine);
  const spare = memoryMb === workerData.spareMemoryMb && spares.length > 0 && sparesWanted > 0;
  if (spare) {
    adoptWhenBooted(engine, /** @type {Promise<any>} */ (spares.shift()));
    // The next spare boots once this spawn is through (booting it now would compete with the load,
    // setup and first task the spare was there to speed up).
    setTimeout(refill, 25);
  } else {
    bootQueue.push({ engine, mem: takeMemory(memoryMb) });
    nextBoot();
  }
}

// Memories are made MEMORY_BATCH at a time for the creates that boot (not for spares): V8 counts
// each memory's committed size (6 MB) as external memory and runs a full GC of this thread's heap
// every ~50–64 MB of it. Made one by one — creates that trickle in, as a restore's window or a
// supervisor's restarts send them — that is a GC per ~8 engines, each marking a heap that grows
// with the engines: measured on a 300-agent restore, 39 such GCs instead of 2–6, and 1.7–2x the
// restore's CPU. Made together, a batch costs about one. What a burst leaves unused is dropped
// after MEMORY_RESERVE_MS (untouched pages: address space, not RSS, meanwhile).
const MEMORY_BATCH = 32;
const MEMORY_RESERVE_MS = 2_000;
/** @type {Map<number, ReturnType<typeof engineMemory>[]>} memories made ahead, by cap (MB) */
const memoryReserve = new Map();
/** @type {NodeJS.Timeout | undefined} */
let reserveTimer;

/** @param {number} memoryMb */
function takeMemory(memoryMb) {
  let made = memoryReserve.get(memoryMb);
  if (!made) memoryReserve.set(memoryMb, (made = []));
  // A dedicated worker hosts one agent: nothing to make ahead.
  if (made.length === 0) for (let i = shared ? MEMORY_BATCH : 1; i > 0; i--) made.push(engineMemory(initialPages, memoryMb));
  clearTimeout(reserveTimer);
  reserveTimer = setTimeout(() => memoryReserve.clear(), MEMORY_RESERVE_MS);
  reserveTimer.unref();
  return /** @type {ReturnType<typeof engineMemory>} */ (made.pop());
}

/** Starts the oldest waiting boots unless a round of them is under way; the spares when none waits. */
function nextBoot() {
  if (bootInProgress) return;
  /** @type {Promise<void>[]} */
  const round = [];
  while (round.length < BOOT_ROUND && bootQueue.length > 0) {
    const item = /** @type {(typeof bootQueue)[number]} */ (bootQueue.shift());
    // A dropped engine (its agent stopped meanwhile) is never booted.
    if (item.engine.dead) continue;
    round.push(adoptWhenBooted(item.engine, bootEngine(core, variant, workerData.wasmModule, item.mem)));
  }
  if (round.length === 0) {
    refill();
    return;
  }
  bootInProgress = true;
  void Promise.all(round).finally(() => {
    bootInProgress = false;
    // After the round of turns the adoptions scheduled (queued first): the engines just booted
    // load before the next ones boot.
    setImmediate(nextBoot);
  });
}

/** @param {Engine} engine @param {Promise<import('./engine.mjs').Booted>} booted */
function adoptWhenBooted(engine, booted) {
  return booted.then(
    (b) => {
      if (engine.dead) return;
      engine.adopt(b);
      if (engine.inbox.length > 0) sched.ready(engine);
    },
    (/** @type {unknown} */ e) => {
      engine.booting = false;
      engine.fatal('crash', `the agent's engine did not boot: ${e instanceof Error ? e.message : String(e)}`);
      engines.delete(engine.id);
    },
  );
}

function schedule() {
  if (loopScheduled || inLoop || receiving) return;
  loopScheduled = true;
  setImmediate(loop);
}

/** One round: every engine ready now gets one turn; then everything for the hub goes in one message. */
function loop() {
  loopScheduled = false;
  inLoop = true;
  const roundStart = Date.now();
  try {
    // Back to the event loop every ROUND_MS at most, whatever is still ready: timers (call
    // deadlines) and the hub's messages must not wait for a round of hundreds of busy agents.
    for (let n = ready.length; n > 0 && ready.length > 0 && Date.now() - roundStart < ROUND_MS; n--) {
      const engine = /** @type {Engine} */ (ready.shift());
      engine.queued = false;
      if (engine.dead) continue;
      turnStart = Date.now();
      running[0] = engine.id;
      const more = engine.turn();
      running[0] = 0;
      busyMs += Date.now() - turnStart;
      if (engine.dead) engines.delete(engine.id);
      if (!more) {
        engine.fullTurns = 0;
        continue;
      }
      // Work left. Count the turn against the agent when it used its budget (not just its share of
      // a batch: CALLS_PER_TURN) and neighbours waited.
      if (shared && ready.length > 0 && sched.shouldYield() && ++engine.fullTurns >= HOG_TURNS && !engine.hogReported) {
        engine.hogReported = true;
        sched.direct(engine, { t: 'hog' });
      }
      engine.queued = true;
      ready.push(engine);
    }
  } finally {
    inLoop = false;
  }
  const now = Date.now();
  if (now - statsSince >= 1_000) {
    batch.push({ t: 'load', a: 0, busy: busyMs / (now - statsSince) });
    busyMs = 0;
    statsSince = now;
  }
  flush();
  if (ready.length > 0) schedule();
}

function flush() {
  if (batch.length === 0) return;
  const out = batch;
  batch = [];
  port.postMessage(out);
}

port.on('message', (/** @type {any[]} */ msgs) => {
  // The round runs right after these messages (below): no round scheduled for later meanwhile.
  receiving = true;
  try {
    for (const msg of msgs) {
      if (msg.t === 'create') create(msg.a, msg.memoryMb, msg.spares);
      else if (msg.t === 'drop') {
        engines.get(msg.a)?.dispose();
        engines.delete(msg.a);
      } else engines.get(msg.a)?.enqueue(msg);
    }
  } finally {
    receiving = false;
  }
  // Answer in this same task when nothing else waits: the serial path saves a hop.
  if (!inLoop && ready.length > 0) loop();
  else flush();
});
refill();
