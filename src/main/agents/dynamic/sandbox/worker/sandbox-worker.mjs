// @ts-check
/**
 * One DynamicAgent's worker thread. It hosts a QuickJS engine compiled to WebAssembly and runs
 * the agent's module in it. The engine is the capability boundary (the agent sees JavaScript
 * built-ins plus the `agent` object the prelude builds, nothing of Node); the thread is the kill
 * switch and keeps the hub's event loop free while the agent computes.
 *
 * Plain JavaScript on purpose: a worker is started from a file, and this one must load the same
 * way under vitest, tsx and a bundled build (copy this folder next to the bundle).
 *
 * Protocol (arrays of messages both ways, one postMessage per batch):
 *   in:  load {code, meta, modules, callTimeoutMs} · calls {json: [[id, hook, payload?]…], list: [[id, hook]…]} · reply {id, ok, json} · deliver {sub, topic, json} · cancel {id}
 *   out: loaded {exports} · load_failed {message, line, column} · results {json: [[id, 1|2|0, value|error]…]} · done {id, ok, kind, json} · host {id?, method, args}
 *        · state {json} · ack {n} · fatal {kind, message}
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { guestPrelude } from './guest-prelude.mjs';

const require = createRequire(import.meta.url);
/** @type {import('quickjs-emscripten-core')} */
const core = require(workerData.quickjsCore);
const variantModule = require(workerData.quickjsVariant);
const variant = variantModule.default ?? variantModule;

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
/** memoryMb is fixed when the engine boots; callTimeoutMs comes with the code (a booted engine may wait as a spare). */
const limits = { memoryMb: /** @type {number} */ (workerData.memoryMb), callTimeoutMs: 30_000 };
/** Most messages one slice of guest code may send to the host (a flood guard). */
const MAX_OUTBOX = 10_000;
/** Timers one agent may have armed at once. */
const MAX_TIMERS = 1_000;
/** Host requests one agent may have in flight. */
const MAX_PENDING_REQUESTS = 1_000;
const WASM_PAGE = 65_536;

/** @type {any[]} */
let outbox = [];
let sliceDeadline = Infinity;
let nextRequestId = 1;
let pendingRequests = 0;
let dead = false;
let delivered = 0;
/** Calls in flight, in start order (hence deadline order): id → { deadline, fn } */
const calls = new Map();
/** One timer for the earliest call deadline (not one per call: tasks come by the thousand). */
let deadlineTimer;
/** Guest timers: id → Node timer */
const timers = new Map();

// Engine: the wasm module compiled once by the hub, one runtime + one context for this agent.
// The memory cap is the engine's linear memory ceiling: QuickJS's own malloc limit cannot be relied
// on in this build (without malloc_usable_size it counts allocations, not bytes), while a linear
// memory that cannot grow makes malloc fail, which QuickJS turns into an out-of-memory error.
const INITIAL_PAGES = 256; // the build's 16 MB initial memory (static data, stack, first heap)
const memory = new WebAssembly.Memory({
  initial: INITIAL_PAGES,
  maximum: Math.max(INITIAL_PAGES, Math.ceil((limits.memoryMb * 1024 * 1024) / WASM_PAGE)),
});
// Emscripten grows the memory through this method; a refusal means the agent hit its cap. The guest
// may catch the resulting error (or QuickJS may fail to even build it), so the flag is what counts.
let memoryExhausted = false;
const grow = memory.grow.bind(memory);
memory.grow = (delta) => {
  try {
    return grow(delta);
  } catch (e) {
    memoryExhausted = true;
    throw e;
  }
};
const qjs = await core.newQuickJSWASMModuleFromVariant(core.newVariant(variant, { wasmModule: workerData.wasmModule, wasmMemory: memory }));
const rt = qjs.newRuntime();
rt.setMemoryLimit(limits.memoryMb * 1024 * 1024);
rt.setMaxStackSize(512 * 1024);
rt.setInterruptHandler(() => memoryExhausted || Date.now() > sliceDeadline);
const ctx = rt.newContext();

/** @type {Record<string, string>} */
let modules = {};
rt.setModuleLoader(
  (name) => {
    const src = Object.prototype.hasOwnProperty.call(modules, name) ? modules[name] : undefined;
    if (src === undefined) return { error: new Error(`module '${name}' is not available to this agent`) };
    return src;
  },
  (_base, requested) => requested,
);

/** @param {any} msg */
function emit(msg) {
  outbox.push(msg);
}

function flush() {
  if (delivered > 0) {
    outbox.push({ t: 'ack', n: delivered });
    delivered = 0;
  }
  if (outbox.length === 0) return;
  const batch = outbox;
  outbox = [];
  port.postMessage(batch);
}

/** @param {string} kind @param {string} message */
function fatal(kind, message) {
  if (dead) return;
  dead = true;
  for (const t of timers.values()) clearTimeout(t);
  clearTimeout(deadlineTimer);
  emit({ t: 'fatal', kind, message });
  flush();
}

/** @param {string} name @param {(...args: import('quickjs-emscripten-core').QuickJSHandle[]) => import('quickjs-emscripten-core').QuickJSHandle | void} fn */
function defineHostFunction(name, fn) {
  const h = ctx.newFunction(name, fn);
  ctx.setProp(ctx.global, name, h);
  h.dispose();
}

/** Messages sent to the host during the current slice of guest code. */
let outboxGuard = 0;

defineHostFunction('__wzSend', (method, args) => {
  if (++outboxGuard > MAX_OUTBOX) return { error: ctx.newError(`too many messages to the host in one go (more than ${MAX_OUTBOX})`) };
  emit({ t: 'host', method: ctx.getString(method), args: ctx.getString(args) });
});
defineHostFunction('__wzCall', (method, args) => {
  if (pendingRequests >= MAX_PENDING_REQUESTS) return { error: ctx.newError(`too many host requests in flight (more than ${MAX_PENDING_REQUESTS})`) };
  if (++outboxGuard > MAX_OUTBOX) return { error: ctx.newError(`too many messages to the host in one go (more than ${MAX_OUTBOX})`) };
  const id = nextRequestId++;
  pendingRequests++;
  emit({ t: 'host', id, method: ctx.getString(method), args: ctx.getString(args) });
  return ctx.newNumber(id);
});
defineHostFunction('__wzTimer', (op, idHandle, msHandle) => {
  const id = ctx.getNumber(idHandle);
  const existing = timers.get(id);
  if (existing) clearTimeout(existing);
  timers.delete(id);
  if (ctx.getString(op) !== 'set') return;
  if (timers.size >= MAX_TIMERS) return { error: ctx.newError(`too many timers (more than ${MAX_TIMERS})`) };
  const ms = Math.min(Math.max(0, ctx.getNumber(msHandle)), 2 ** 31 - 1);
  timers.set(
    id,
    setTimeout(() => {
      timers.delete(id);
      const r = enterGuest('timer callback', 'fire', [ctx.newNumber(id)]);
      if (!r.ok && r.kind === 'timeout') emit({ t: 'host', method: 'log', args: JSON.stringify(['error', r.message]) });
      pump();
      if (memoryExhausted) fatal('out_of_memory', `the agent ran out of memory (limit ${limits.memoryMb} MB)`);
      flush();
    }, ms),
  );
});

// The prelude (compiled now, run at load with the agent's identity): builds `agent`, console and
// timers, and removes the raw host functions above.
const preludeFn = ctx.unwrapResult(ctx.evalCode(`(${guestPrelude.toString()})`, 'wactorz-prelude.js'));
/** @type {import('quickjs-emscripten-core').QuickJSHandle} */
let dispatcher;
/** @type {Record<string, import('quickjs-emscripten-core').QuickJSHandle>} */
let methods = {};

/** @param {unknown} meta */
function runPrelude(meta) {
  const metaHandle = ctx.newString(JSON.stringify(meta));
  dispatcher = ctx.unwrapResult(ctx.callFunction(preludeFn, ctx.undefined, metaHandle));
  metaHandle.dispose();
  preludeFn.dispose();
  methods = Object.fromEntries(['load', 'callBatch', 'resume', 'interrupted', 'collect', 'settle', 'deliver', 'fire', 'snapshot'].map((m) => [m, ctx.getProp(dispatcher, m)]));
}

/** @param {string} text */
function isOutOfMemory(text) {
  return /"message":"out of memory"/.test(text);
}

/**
 * Calls a dispatcher method with a fresh time slice. Returns the result handle's JSON/string value
 * or undefined; on interrupt returns 'timeout'; on a host-level failure the agent is dead.
 * @param {string} phase @param {string} method @param {import('quickjs-emscripten-core').QuickJSHandle[]} args
 * @returns {{ ok: true, value: string | undefined } | { ok: false, kind: string, message: string }}
 */
function enterGuest(phase, method, args) {
  if (dead) return { ok: false, kind: 'stopped', message: 'agent is down' };
  outboxGuard = 0;
  sliceDeadline = nextSliceDeadline();
  try {
    const result = ctx.callFunction(methods[method], dispatcher, ...args);
    if (result.error) {
      const err = ctx.dump(result.error);
      result.error.dispose();
      return classifyGuestFailure(phase, err);
    }
    const value = ctx.typeof(result.value) === 'string' ? ctx.getString(result.value) : undefined;
    result.value.dispose();
    return { ok: true, value };
  } catch (e) {
    // The engine itself failed (host stack overflow, wasm trap): its state cannot be trusted.
    fatal('crash', `the agent's engine failed in ${phase}: ${e instanceof Error ? e.message : String(e)}`);
    return { ok: false, kind: 'crash', message: String(e) };
  } finally {
    sliceDeadline = Infinity;
    for (const a of args) a.dispose();
  }
}

/** @param {string} phase @param {any} err */
function classifyGuestFailure(phase, err) {
  const message = err && typeof err === 'object' ? String(err.message) : String(err);
  if (memoryExhausted || message === 'out of memory') {
    fatal('out_of_memory', `the agent ran out of memory (limit ${limits.memoryMb} MB) in ${phase}`);
    return { ok: false, kind: 'out_of_memory', message };
  }
  if (message === 'interrupted') {
    return { ok: false, kind: 'timeout', message: `${phase} was still running at its deadline (limit ${limits.callTimeoutMs} ms) and was interrupted` };
  }
  return { ok: false, kind: 'crash', message: `${err?.name ?? 'Error'}: ${message}` };
}

/**
 * A stretch of guest code may run for one call timeout, and never past the earliest deadline of a
 * call in flight: so the hub hears back about every call by its deadline (the hub treats a worker
 * that stays silent well past a deadline as wedged and kills it).
 */
function nextSliceDeadline() {
  const now = Date.now();
  expireCalls(now);
  const first = calls.values().next();
  const earliest = first.done ? Infinity : first.value.deadline;
  return Math.min(now + limits.callTimeoutMs, earliest);
}

/** Runs queued promise jobs, each burst with a fresh slice; interrupted bursts time calls out. */
function pump() {
  while (!dead && rt.hasPendingJob()) {
    outboxGuard = 0;
    sliceDeadline = nextSliceDeadline();
    let res;
    try {
      res = rt.executePendingJobs();
    } catch (e) {
      fatal('crash', `the agent's engine failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    } finally {
      sliceDeadline = Infinity;
    }
    if (res.error) {
      const err = res.error.context.dump(res.error);
      res.error.dispose();
      const failure = classifyGuestFailure('a callback', err);
      if (failure.ok === false && failure.kind === 'timeout') expireCalls(Date.now() + 5);
    }
  }
  if (!dead) collect();
  if (!dead) snapshot();
}

/** Forwards the results of settled calls (one JSON text for the whole batch). */
function collect() {
  const r = enterGuest('collect', 'collect', []);
  if (!r.ok || !r.value) return;
  const nl = r.value.indexOf('\n');
  for (const id of r.value.slice(0, nl).split(',')) calls.delete(Number(id));
  const json = r.value.slice(nl + 1);
  if (memoryExhausted || isOutOfMemory(json)) {
    // The calls that failed, failed for want of memory, whatever the engine managed to say.
    const message = `the agent ran out of memory (limit ${limits.memoryMb} MB)`;
    const settled = /** @type {[number, number, unknown][]} */ (JSON.parse(json));
    const ok = settled.filter(([, status]) => status !== 0);
    if (ok.length > 0) emit({ t: 'results', json: JSON.stringify(ok) });
    for (const [id, status] of settled) {
      if (status === 0) emit({ t: 'done', id, ok: false, kind: 'out_of_memory', json: JSON.stringify({ name: 'InternalError', message, stack: '' }) });
    }
    fatal('out_of_memory', message);
    return;
  }
  emit({ t: 'results', json });
}

function snapshot() {
  const r = enterGuest('state snapshot', 'snapshot', []);
  if (r.ok && r.value) emit({ t: 'state', json: r.value });
}

function armDeadlineTimer() {
  if (deadlineTimer !== undefined || calls.size === 0) return;
  const first = calls.values().next().value;
  deadlineTimer = setTimeout(() => {
    deadlineTimer = undefined;
    expireCalls(Date.now());
    armDeadlineTimer();
    flush();
  }, Math.max(0, first.deadline - Date.now()));
}

/** Fails every call whose deadline is ≤ `now` with a timeout. @param {number} now */
function expireCalls(now) {
  // Calls are kept in start order, hence deadline order: stop at the first one still in time.
  for (const [id, call] of calls) {
    if (call.deadline > now) break;
    calls.delete(id);
    const message = `${call.fn} did not finish within ${limits.callTimeoutMs} ms`;
    emit({ t: 'done', id, ok: false, kind: 'timeout', json: JSON.stringify({ name: 'TimeoutError', message, stack: '' }) });
  }
}

/** @param {{ code: string, modules?: Record<string, string>, meta: unknown, callTimeoutMs: number }} msg */
function load(msg) {
  limits.callTimeoutMs = msg.callTimeoutMs;
  modules = msg.modules ?? {};
  runPrelude(msg.meta);
  const res = ctx.evalCode(msg.code, 'agent.js', { type: 'module' });
  let ns;
  if (res.error) {
    const err = ctx.dump(res.error);
    res.error.dispose();
    return loadFailed(err);
  }
  ns = res.value;
  // Top-level await: the namespace comes as a promise.
  const st = ctx.getPromiseState(ns);
  if (st.type === 'pending') {
    sliceDeadline = Date.now() + limits.callTimeoutMs;
    rt.executePendingJobs();
    sliceDeadline = Infinity;
  }
  const settled = ctx.getPromiseState(ns);
  if (settled.type === 'rejected') {
    const err = ctx.dump(settled.error);
    settled.error.dispose();
    ns.dispose();
    return loadFailed(err);
  }
  if (settled.type === 'pending') {
    ns.dispose();
    return loadFailed({ name: 'Error', message: 'top-level await did not settle while loading' });
  }
  const nsValue = settled.value;
  const r = enterGuest('load', 'load', [nsValue]);
  if (nsValue !== ns) ns.dispose();
  if (!r.ok) return loadFailed({ name: 'Error', message: r.message });
  const info = JSON.parse(r.value ?? '{}');
  if (info.error) return loadFailed({ name: 'Error', message: info.error });
  emit({ t: 'loaded', exports: info.exports });
}

/** @param {any} err */
function loadFailed(err) {
  const message = err && typeof err === 'object' ? `${err.name ?? 'Error'}: ${err.message}` : String(err);
  if (memoryExhausted || /out of memory/.test(message)) return fatal('out_of_memory', `the agent ran out of memory while loading (limit ${limits.memoryMb} MB)`);
  if (/interrupted/.test(message)) return emit({ t: 'load_failed', message: `loading took longer than ${limits.callTimeoutMs} ms`, kind: 'timeout' });
  const where = /agent\.js:(\d+):(\d+)/.exec(String(err?.stack ?? ''));
  const line = where ? Number(where[1]) : typeof err?.lineNumber === 'number' ? err.lineNumber : undefined;
  const column = where ? Number(where[2]) : undefined;
  emit({ t: 'load_failed', message, line, column, kind: 'bad_code' });
}

/** @param {any} msg */
function handle(msg) {
  switch (msg.t) {
    case 'load':
      load(msg);
      break;
    case 'calls': {
      const deadline = Date.now() + limits.callTimeoutMs;
      for (const [id, fn] of msg.list) calls.set(id, { deadline, fn });
      armDeadlineTimer();
      let r = enterGuest('handleTask', 'callBatch', [ctx.newString(msg.json)]);
      // A call that spun was interrupted: it times out, the rest of the batch still starts.
      while (!r.ok && r.kind === 'timeout') {
        const spun = enterGuest('interrupted', 'interrupted', []);
        const id = spun.ok ? Number(spun.value ?? 0) : 0;
        if (id && calls.has(id)) {
          const fn = calls.get(id).fn;
          calls.delete(id);
          const message = `${fn} was still running at its deadline (limit ${limits.callTimeoutMs} ms) and was interrupted`;
          emit({ t: 'done', id, ok: false, kind: 'timeout', json: JSON.stringify({ name: 'TimeoutError', message, stack: '' }) });
        }
        r = enterGuest('handleTask', 'resume', []);
      }
      if (!r.ok) {
        for (const [id] of msg.list) {
          if (calls.delete(id)) emit({ t: 'done', id, ok: false, kind: r.kind, json: JSON.stringify({ name: 'Error', message: r.message, stack: '' }) });
        }
      }
      break;
    }
    case 'reply':
      pendingRequests = Math.max(0, pendingRequests - 1);
      enterGuest('host reply', 'settle', [ctx.newNumber(msg.id), ctx.newNumber(msg.ok ? 1 : 0), ctx.newString(msg.json)]);
      break;
    case 'deliver': {
      delivered++;
      const r = enterGuest('subscription callback', 'deliver', [ctx.newNumber(msg.sub), ctx.newString(msg.topic), ctx.newString(msg.json)]);
      if (!r.ok && r.kind === 'timeout') emit({ t: 'host', method: 'log', args: JSON.stringify(['error', `subscription callback (${msg.topic}): ${r.message}`]) });
      break;
    }
    case 'cancel':
      calls.delete(msg.id);
      break;
  }
}

port.on('message', (/** @type {any[]} */ batch) => {
  if (dead) return;
  for (const msg of batch) {
    handle(msg);
    if (dead) break;
  }
  pump();
  if (memoryExhausted) fatal('out_of_memory', `the agent ran out of memory (limit ${limits.memoryMb} MB)`);
  flush();
});
