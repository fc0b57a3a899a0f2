// @ts-check
/**
 * One agent's engine inside a sandbox worker: its own WebAssembly instance of the QuickJS module
 * with its own linear memory (whose maximum IS the agent's memory cap), one QuickJS runtime and
 * context, its own modules, timers, calls in flight and deadline. Many engines share a worker; they
 * share nothing else (docs/dynamic-agent-isolation.md, "Many agents per worker").
 *
 * The engine runs only inside a TURN given by the worker's scheduler (turn()): queued messages,
 * promise jobs, then the results and the state snapshot are read out. Everything the guest sends to
 * the hub during a turn stays in this engine's outbox until the turn ends, so a turn can be rolled
 * back whole: on a shared worker a stretch of guest code still running when the turn's budget is
 * spent is interrupted (QuickJS cannot pause and resume it), the engine is dropped, nothing it did
 * in that turn leaves, and the hub replays the calls of that turn on a worker of the agent's own,
 * from the last state it reported (`overrun`).
 */
import { guestPrelude } from './guest-prelude.mjs';
import { guestOriginalExtras } from './guest-original-extras.mjs';
import { RawCalls } from './raw-calls.mjs';

/** Most messages one turn of guest code may send to the host (a flood guard). */
const MAX_OUTBOX = 10_000;
/** Most characters one turn may send to the host: the worker's heap is shared with neighbours. */
const MAX_OUTBOX_CHARS = 32 * 1024 * 1024;
/** Timers one agent may have armed at once. */
const MAX_TIMERS = 1_000;
/** Host requests one agent may have in flight. */
const MAX_PENDING_REQUESTS = 1_000;
/** Promise jobs run between two checks of the turn's budget. */
const JOBS_PER_CHECK = 64;
const WASM_PAGE = 65_536;

/** Dispatcher methods that always return a string (read without asking its type first). */
const STRING_METHODS = new Set(['load', 'callBatch', 'callRun', 'callOne', 'resume', 'interrupted', 'drain']);

/** Thrown out of a guest stretch interrupted by the end of its turn on a shared worker. */
export class Overrun extends Error {}

/**
 * @typedef {object} Scheduler
 * @property {() => boolean} shouldYield  the turn has used a quarter of its budget: start no new stretch
 * @property {() => number} yieldAt       when that is (0 on a dedicated worker: never)
 * @property {number} callsPerTurn        most calls of a batch a turn starts (the rest wait for the next turn)
 * @property {() => number} hardEnd       when the turn's budget is spent (Infinity on a dedicated worker)
 * @property {() => number} readEnd       the bound for reading results out: the turn's end, and at least half a slice from now
 * @property {(engine: Engine) => void} ready   the engine has work
 * @property {(engine: Engine, msg: any) => void} direct  a message for the hub outside the turn's outbox
 */

/**
 * A booted instance not yet given to an agent (spares are booted ahead of need).
 * Everything that does not depend on the agent happens here, ahead of need: the instance, runtime,
 * context, the raw host functions (they reach the engine that adopts it through `slot`) and the
 * prelude compiled (≈ 7 ms of QuickJS parsing: most of a spawn, were it done at adoption).
 * @typedef {{ memoryMb: number, memory: WebAssembly.Memory, flag: { exhausted: boolean }, qjs: any, rt: any, ctx: any, slot: { engine: Engine | undefined }, preludeFn: any, raw: RawCalls }} Booted
 */

/**
 * An engine's linear memory: its maximum is the agent's cap. Emscripten grows the memory through
 * `grow`; a refusal means the agent hit its cap. The guest may catch the resulting error (or QuickJS
 * may fail to even build it): the flag counts.
 * @param {number} initialPages @param {number} memoryMb
 * @returns {{ memory: WebAssembly.Memory, flag: { exhausted: boolean }, memoryMb: number }}
 */
export function engineMemory(initialPages, memoryMb) {
  const memory = new WebAssembly.Memory({ initial: initialPages, maximum: Math.max(initialPages, Math.ceil((memoryMb * 1024 * 1024) / WASM_PAGE)) });
  const flag = { exhausted: false };
  const grow = memory.grow.bind(memory);
  memory.grow = (delta) => {
    try {
      return grow(delta);
    } catch (e) {
      flag.exhausted = true;
      throw e;
    }
  };
  return { memory, flag, memoryMb };
}

/** guest-original-extras.mjs's function as source, for the prelude to compile when first used. */
const EXTRAS_SOURCE = guestOriginalExtras.toString();

/**
 * A `calls` message names its calls by `list` ([id, hook] pairs), or, for a run of handleTask calls,
 * by `first` and `n` (ids first…first+n-1): a run of 256 carried no list to copy across threads.
 * @param {any} msg
 */
function callCount(msg) {
  return msg.list ? msg.list.length : msg.n;
}
/** @param {any} msg @param {number} i */
function callIdAt(msg, i) {
  return msg.list ? msg.list[i][0] : msg.first + i;
}

/**
 * @param {any} core @param {any} variant @param {WebAssembly.Module} wasmModule
 * @param {{ memory: WebAssembly.Memory, flag: { exhausted: boolean }, memoryMb: number }} mem  from engineMemory()
 * @returns {Promise<Booted>}
 */
export async function bootEngine(core, variant, wasmModule, mem) {
  const { memory, flag, memoryMb } = mem;
  const qjs = await core.newQuickJSWASMModuleFromVariant(core.newVariant(variant, { wasmModule, wasmMemory: memory }));
  const rt = qjs.newRuntime();
  // Not what protects (it counts allocations in this build); the memory's maximum is.
  rt.setMemoryLimit(memoryMb * 1024 * 1024);
  rt.setMaxStackSize(512 * 1024);
  const ctx = rt.newContext();
  /** @type {{ engine: Engine | undefined }} */
  const slot = { engine: undefined };
  rt.setInterruptHandler(() => slot.engine?.interrupt() ?? false);
  rt.setModuleLoader(
    (/** @type {string} */ name) => slot.engine?.loadModule(name) ?? { error: new Error(`module '${name}' is not available to this agent`) },
    (/** @type {string} */ _base, /** @type {string} */ requested) => requested,
  );
  const define = (/** @type {string} */ name, /** @type {(e: Engine, ...a: any[]) => any} */ fn) => {
    const h = ctx.newFunction(name, (/** @type {any[]} */ ...args) => (slot.engine ? fn(slot.engine, ...args) : undefined));
    ctx.setProp(ctx.global, name, h);
    h.dispose();
  };
  define('__wzSend', (e, method, args) => e.hostSend(method, args));
  define('__wzCall', (e, method, args) => e.hostCall(method, args));
  define('__wzTimer', (e, op, id, ms) => e.hostTimer(op, id, ms));
  // The prelude: a function of `meta` and the extras' source (handed in at load, compiled in the
  // engine on first use; as a literal in this text, parsing it cost every boot ~5 %).
  const preludeFn = ctx.unwrapResult(ctx.evalCode(`(${guestPrelude.toString()})`, 'wactorz-prelude.js'));
  return { memoryMb, memory, flag, qjs, rt, ctx, slot, preludeFn, raw: new RawCalls(ctx, rt) };
}

export class Engine {
  /** @param {number} id @param {Scheduler} sched @param {boolean} shared */
  constructor(id, sched, shared) {
    this.id = id;
    this.sched = sched;
    this.shared = shared;
    /** Messages from the hub waiting for this engine's turn. @type {any[]} */
    this.inbox = [];
    /** What this turn sends to the hub (rolled back on an overrun). @type {any[]} */
    this.outbox = [];
    this.outboxChars = 0;
    this.queued = false;
    this.booting = true;
    this.dead = false;
    this.turnNo = 0;
    /** Consecutive turns that ended with work left while neighbours waited. */
    this.fullTurns = 0;
    this.hogReported = false;
    this.limits = { memoryMb: 0, callTimeoutMs: 60_000 };
    this.delivered = 0;
    this.nextRequestId = 1;
    this.pendingRequests = 0;
    this.outboxGuard = 0;
    this.stretchEnd = Infinity;
    /** The current stretch is bounded by the turn's end (not by a call deadline). */
    this.stretchByTurn = false;
    /** The turn's budget ran out inside a stretch (shared workers): the turn is rolled back. */
    this.overran = false;
    /** Subscription messages handled this turn: delivered again to the next engine if the turn is rolled back. @type {[number, string, string][]} */
    this.turnDeliveries = [];
    /** Calls in flight in start order (hence deadline order): id → { deadline, fn, turn } */
    /** @type {Map<number, { deadline: number, fn: string, turn: number }>} */
    this.calls = new Map();
    /** The batch of calls the guest is starting: its `calls` message, and how many it started. @type {{ msg: any, index: number } | null} */
    this.batch = null;
    /** @type {Map<number, NodeJS.Timeout>} */
    this.timers = new Map();
    /** @type {NodeJS.Timeout | undefined} */
    this.deadlineTimer = undefined;
    /** @type {Record<string, string>} */
    this.modules = {};
    this.phase = 'boot';
  }

  /** Takes a booted instance (its host functions now reach this engine). @param {Booted} b */
  adopt(b) {
    this.b = b;
    this.limits.memoryMb = b.memoryMb;
    this.preludeFn = b.preludeFn;
    b.slot.engine = this;
    this.booting = false;
  }

  /** QuickJS asks whether to stop the running stretch. */
  interrupt() {
    if (this.b?.flag.exhausted) return true;
    if (Date.now() <= this.stretchEnd) return false;
    // The async machinery may turn the interrupt into a rejection the stretch then completes
    // with: the flag, not the stretch's outcome, says the turn's budget ran out.
    if (this.stretchByTurn) this.overran = true;
    return true;
  }

  /** @param {string} name */
  loadModule(name) {
    const src = Object.prototype.hasOwnProperty.call(this.modules, name) ? this.modules[name] : undefined;
    if (src === undefined) return { error: new Error(`module '${name}' is not available to this agent`) };
    return src;
  }

  /** @param {string} args */
  tooMuch(args) {
    const { ctx } = /** @type {Booted} */ (this.b);
    if (++this.outboxGuard > MAX_OUTBOX) return ctx.newError(`too many messages to the host in one go (more than ${MAX_OUTBOX})`);
    this.outboxChars += args.length;
    if (this.outboxChars > MAX_OUTBOX_CHARS) return ctx.newError(`too much data to the host in one go (more than ${MAX_OUTBOX_CHARS / 1048576} MB)`);
    return undefined;
  }

  /** @param {any} method @param {any} args */
  hostSend(method, args) {
    const { ctx } = /** @type {Booted} */ (this.b);
    const a = ctx.getString(args);
    const err = this.tooMuch(a);
    if (err) return { error: err };
    this.emit({ t: 'host', method: ctx.getString(method), args: a });
  }

  /** @param {any} method @param {any} args */
  hostCall(method, args) {
    const { ctx } = /** @type {Booted} */ (this.b);
    if (this.pendingRequests >= MAX_PENDING_REQUESTS) return { error: ctx.newError(`too many host requests in flight (more than ${MAX_PENDING_REQUESTS})`) };
    const a = ctx.getString(args);
    const err = this.tooMuch(a);
    if (err) return { error: err };
    const id = this.nextRequestId++;
    this.pendingRequests++;
    this.emit({ t: 'host', id, method: ctx.getString(method), args: a });
    return ctx.newNumber(id);
  }

  /** @param {any} op @param {any} idHandle @param {any} msHandle */
  hostTimer(op, idHandle, msHandle) {
    const { ctx } = /** @type {Booted} */ (this.b);
    const id = ctx.getNumber(idHandle);
    const existing = this.timers.get(id);
    if (existing) clearTimeout(existing);
    this.timers.delete(id);
    if (ctx.getString(op) !== 'set') return;
    if (this.timers.size >= MAX_TIMERS) return { error: ctx.newError(`too many timers (more than ${MAX_TIMERS})`) };
    const ms = Math.min(Math.max(0, ctx.getNumber(msHandle)), 2 ** 31 - 1);
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        this.enqueue({ t: 'fire', id });
      }, ms),
    );
  }

  /** A message from the hub for this engine's next turn. @param {any} msg */
  enqueue(msg) {
    if (this.dead) return;
    this.inbox.push(msg);
    if (!this.booting) this.sched.ready(this);
  }

  /** @param {any} msg */
  emit(msg) {
    this.outbox.push(msg);
  }

  /**
   * One turn: the pending batch, queued messages, promise jobs (until a quarter of the budget is used on a
   * shared worker), then results and state are read out. Returns true when work is left.
   */
  turn() {
    if (this.dead || this.booting) return false;
    this.turnNo++;
    this.outboxGuard = 0;
    this.outboxChars = 0;
    this.overran = false;
    this.turnDeliveries = [];
    try {
      // At least one step per turn, whatever the clock says (a descheduled thread must still progress).
      let first = true;
      if (this.batch) {
        this.resumeBatch();
        first = false;
      }
      while (!this.dead && !this.batch && this.inbox.length > 0 && (first || !this.sched.shouldYield())) {
        this.handle(this.inbox.shift());
        first = false;
      }
      // Nothing runs in an engine before its code is loaded.
      if (!this.dead && this.methods) this.pump();
      if (!this.dead && this.methods) this.drain();
    } catch (e) {
      if (!(e instanceof Overrun)) throw e;
      this.overrun();
      return false;
    }
    if (!this.dead && this.b?.flag.exhausted) this.fatal('out_of_memory', `the agent ran out of memory (limit ${this.limits.memoryMb} MB)`);
    this.endTurn();
    return !this.dead && (this.batch !== null || this.inbox.length > 0 || this.b.raw.hasPendingJob());
  }

  endTurn() {
    if (this.delivered > 0) {
      this.sched.direct(this, { t: 'ack', n: this.delivered });
      this.delivered = 0;
    }
    for (const m of this.outbox) this.sched.direct(this, m);
    this.outbox = [];
  }

  /**
   * The turn's budget ran out inside a stretch: drop the engine; nothing of this turn leaves. The
   * calls the turn started (or had not started yet) can run again elsewhere from the last state the
   * hub has; calls started in earlier turns had state in this engine and are lost.
   */
  overrun() {
    const replay = [];
    const lost = [];
    for (const [id, call] of this.calls) (call.turn === 0 || call.turn === this.turnNo ? replay : lost).push(id);
    const redeliver = this.turnDeliveries;
    for (const msg of this.inbox) {
      if (msg.t === 'calls') for (let i = 0, n = callCount(msg); i < n; i++) replay.push(callIdAt(msg, i));
      else if (msg.t === 'deliver') redeliver.push([msg.sub, msg.topic, msg.json]);
    }
    this.outbox = [];
    if (this.delivered > 0) this.sched.direct(this, { t: 'ack', n: this.delivered });
    this.delivered = 0;
    this.sched.direct(this, { t: 'overrun', phase: this.phase, replay, lost, redeliver });
    this.dispose();
  }

  /** @param {string} kind @param {string} message */
  fatal(kind, message) {
    if (this.dead) return;
    this.endTurn();
    this.sched.direct(this, { t: 'fatal', kind, message });
    this.dispose();
  }

  /**
   * The host could not read what the agent left for it (a result's getter that spins, a state that
   * never serialises) before the deadline: the engine holds that value and would spin again at every
   * turn, so the hub replaces it with a fresh one (its calls in flight fail with `timeout`).
   * @param {string} message
   */
  poisoned(message) {
    if (this.dead) return;
    this.outbox = [];
    this.sched.direct(this, { t: 'reset', kind: 'timeout', message });
    this.dispose();
  }

  /** Forgets the engine: timers cleared, the instance left to the garbage collector (never disposed in place: live handles would abort). */
  dispose() {
    this.dead = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    clearTimeout(this.deadlineTimer);
    this.inbox = [];
    this.calls.clear();
    if (this.b) this.b.slot.engine = undefined;
    this.b = undefined;
    this.methods = undefined;
    this.dispatcher = undefined;
  }

  /** Bounds the next stretch by the earliest call deadline (or `callBound`) and the turn's end. @param {number} [callBound] */
  bound(callBound = this.nextCallBound(), reading = false) {
    const turnBound = reading ? this.sched.readEnd() : this.sched.hardEnd();
    this.stretchByTurn = this.shared && turnBound <= callBound;
    this.stretchEnd = Math.min(callBound, turnBound);
  }

  /** After a stretch: the turn's budget ran out in it (shared workers) → roll the turn back. */
  checkOverrun() {
    this.stretchEnd = Infinity;
    this.stretchByTurn = false;
    if (this.overran) {
      this.overran = false;
      throw new Overrun(this.phase);
    }
  }

  /**
   * Calls a dispatcher method as one stretch, bounded by the earliest call deadline and, on a shared
   * worker, by the end of the turn (then it throws Overrun).
   * Arguments are numbers and strings (made into guest values for the call) or a handle its owner
   * disposes. The hot path: raw calls (raw-calls.mjs), not the wrapper's handles.
   * @param {string} phase @param {string} method @param {(number | string | { value: number })[]} args
   * @returns {{ ok: true, value: string | undefined } | { ok: false, kind: string, message: string }}
   */
  enterGuest(phase, method, args) {
    const { ctx, raw } = /** @type {Booted} */ (this.b);
    // Reading results and state out is the host's work the turn must finish: its own half slice.
    this.bound(undefined, method === 'drain');
    try {
      const result = raw.call(this.methods[method], this.dispatcher, args, STRING_METHODS.has(method));
      this.checkOverrun();
      if (result.error) {
        const err = ctx.dump(result.error);
        result.error.dispose();
        return this.classify(phase, err);
      }
      return { ok: true, value: result.value };
    } catch (e) {
      if (e instanceof Overrun) throw e;
      // The engine itself failed (host stack overflow, wasm trap): its state cannot be trusted.
      if (this.b?.flag.exhausted) this.fatal('out_of_memory', `the agent ran out of memory (limit ${this.limits.memoryMb} MB) in ${phase}`);
      else this.fatal('crash', `the agent's engine failed in ${phase}: ${e instanceof Error ? e.message : String(e)}`);
      return { ok: false, kind: 'crash', message: String(e) };
    } finally {
      this.stretchEnd = Infinity;
    }
  }

  /** @param {string} phase @param {any} err */
  classify(phase, err) {
    const message = err && typeof err === 'object' ? String(err.message) : String(err);
    if (this.b?.flag.exhausted || message === 'out of memory') {
      this.fatal('out_of_memory', `the agent ran out of memory (limit ${this.limits.memoryMb} MB) in ${phase}`);
      return { ok: false, kind: 'out_of_memory', message };
    }
    if (message === 'interrupted') {
      return { ok: false, kind: 'timeout', message: `${phase} was still running at its deadline (limit ${this.limits.callTimeoutMs} ms) and was interrupted` };
    }
    return { ok: false, kind: 'crash', message: `${err?.name ?? 'Error'}: ${message}` };
  }

  /**
   * A stretch may run for one call timeout, and never past the earliest deadline of a call in
   * flight: so the hub hears back about every call by its deadline.
   */
  nextCallBound() {
    const now = Date.now();
    this.expireCalls(now);
    const first = this.calls.values().next();
    return Math.min(now + this.limits.callTimeoutMs, first.done ? Infinity : first.value.deadline);
  }

  /** Runs queued promise jobs in chunks, each a stretch; stops when the turn should yield. */
  pump() {
    const { raw } = /** @type {Booted} */ (this.b);
    // The first chunk runs whatever the clock says: the calls this turn started settle in it.
    let first = true;
    while (!this.dead && raw.hasPendingJob() && (first || !this.sched.shouldYield())) {
      first = false;
      this.phase = 'a callback';
      this.bound();
      let error;
      try {
        error = raw.executePendingJobs(JOBS_PER_CHECK);
      } catch (e) {
        this.stretchEnd = Infinity;
        this.fatal('crash', `the agent's engine failed: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      this.checkOverrun();
      if (error) {
        const err = /** @type {Booted} */ (this.b).ctx.dump(error);
        error.dispose();
        const failure = this.classify('a callback', err);
        if (failure.ok === false && failure.kind === 'timeout') this.expireCalls(Date.now() + 5);
      }
    }
  }

  /** The end of a turn: the results of settled calls (one JSON text for the whole turn), then the state if it changed. */
  drain() {
    this.phase = 'collect';
    const r = this.enterGuest('reading the results', 'drain', []);
    if (!r.ok) {
      if (r.kind === 'timeout') this.poisoned(`reading a result or the state the agent left ran past its deadline (limit ${this.limits.callTimeoutMs} ms): the agent's engine was reset`);
      return;
    }
    const v = r.value ?? '';
    const a = v.indexOf('\n');
    const b = v.indexOf('\n', a + 1);
    const c = v.indexOf('\n', b + 1);
    if (a < 0 || b < 0 || c < 0) return;
    const ids = v.slice(0, a);
    const st = v.slice(a + 1, b);
    const json = v.slice(b + 1, c);
    const state = v.slice(c + 1);
    if (json) {
      for (const id of ids.split(',')) this.calls.delete(Number(id));
      if (this.b?.flag.exhausted || /"message":"out of memory"/.test(json)) {
        // The calls that failed, failed for want of memory, whatever the engine managed to say.
        const message = `the agent ran out of memory (limit ${this.limits.memoryMb} MB)`;
        const idList = ids.split(',').map(Number);
        const values = /** @type {unknown[]} */ (JSON.parse(json));
        const ok = idList.map((id, i) => ({ id, st: st[i], value: values[i] })).filter((x) => x.st !== '0');
        if (ok.length > 0) this.emit({ t: 'results', ids: ok.map((x) => x.id).join(','), st: ok.map((x) => x.st).join(''), json: JSON.stringify(ok.map((x) => x.value)) });
        idList.forEach((id, i) => {
          if (st[i] === '0') this.emit({ t: 'done', id, ok: false, kind: 'out_of_memory', json: JSON.stringify({ name: 'InternalError', message, stack: '' }) });
        });
        this.fatal('out_of_memory', message);
        return;
      }
      this.emit({ t: 'results', ids, st, json });
    }
    if (state) this.emit({ t: 'state', json: state });
  }

  armDeadlineTimer() {
    if (this.deadlineTimer !== undefined || this.calls.size === 0 || this.dead) return;
    const first = /** @type {{ deadline: number }} */ (this.calls.values().next().value);
    this.deadlineTimer = setTimeout(
      () => {
        this.deadlineTimer = undefined;
        this.expireCalls(Date.now());
        this.armDeadlineTimer();
      },
      Math.max(0, first.deadline - Date.now()),
    );
  }

  /** Fails every call whose deadline is ≤ `now` with a timeout (straight to the hub: not part of a turn). @param {number} now */
  expireCalls(now) {
    for (const [id, call] of this.calls) {
      if (call.deadline > now) break;
      this.calls.delete(id);
      const message = `${call.fn} did not finish within ${this.limits.callTimeoutMs} ms`;
      this.sched.direct(this, { t: 'done', id, ok: false, kind: 'timeout', json: JSON.stringify({ name: 'TimeoutError', message, stack: '' }) });
    }
  }

  /** @param {any} msg */
  handle(msg) {
    switch (msg.t) {
      case 'load':
        this.phase = 'load';
        this.load(msg);
        break;
      case 'calls': {
        this.phase = 'handleTask';
        const deadline = Date.now() + this.limits.callTimeoutMs;
        const n = callCount(msg);
        for (let i = 0; i < n; i++) this.calls.set(callIdAt(msg, i), { deadline, fn: msg.list ? msg.list[i][1] : 'handleTask', turn: 0 });
        this.armDeadlineTimer();
        this.batch = { msg, index: 0 };
        this.stampBatch();
        // One call (`one`: its payload JSON alone) needs no batch parsed in the engine; a run of
        // handleTask calls with consecutive ids (`run`: the payloads alone) parses just the payloads.
        if (typeof msg.one === 'string' && n === 1) this.runBatch('callOne', [msg.list[0][0], msg.list[0][1], msg.one]);
        else if (typeof msg.run === 'string') this.runBatch('callRun', [msg.first, msg.run, this.sched.yieldAt(), this.sched.callsPerTurn]);
        else this.runBatch('callBatch', [msg.json, this.sched.yieldAt(), this.sched.callsPerTurn]);
        break;
      }
      case 'reply':
        this.phase = 'host reply';
        this.pendingRequests = Math.max(0, this.pendingRequests - 1);
        this.enterGuest('host reply', 'settle', [msg.id, msg.ok ? 1 : 0, msg.json]);
        break;
      case 'deliver': {
        this.phase = 'subscription callback';
        this.delivered++;
        this.turnDeliveries.push([msg.sub, msg.topic, msg.json]);
        const r = this.enterGuest('subscription callback', 'deliver', [msg.sub, msg.topic, msg.json]);
        if (!r.ok && r.kind === 'timeout') this.emit({ t: 'host', method: 'log', args: JSON.stringify(['error', `subscription callback (${msg.topic}): ${r.message}`]) });
        break;
      }
      case 'fire': {
        this.phase = 'timer callback';
        const r = this.enterGuest('timer callback', 'fire', [msg.id]);
        if (!r.ok && r.kind === 'timeout') this.emit({ t: 'host', method: 'log', args: JSON.stringify(['error', r.message]) });
        break;
      }
      case 'cancel':
        this.calls.delete(msg.id);
        break;
    }
  }

  /** The calls of the batch not started yet belong to this turn (replayed if it overruns). */
  stampBatch() {
    if (!this.batch) return;
    const { msg } = this.batch;
    for (let i = this.batch.index, n = callCount(msg); i < n; i++) {
      const call = this.calls.get(callIdAt(msg, i));
      if (call) call.turn = this.turnNo;
    }
  }

  resumeBatch() {
    this.phase = 'handleTask';
    this.stampBatch();
    this.runBatch('resume', [this.sched.yieldAt(), this.sched.callsPerTurn]);
  }

  /** Starts (the rest of) a batch; a call that spun past its deadline times out, the rest still start. @param {string} method @param {any[]} args */
  runBatch(method, args) {
    let r = this.enterGuest('handleTask', method, args);
    while (!r.ok && r.kind === 'timeout') {
      const spun = this.enterGuest('interrupted', 'interrupted', []);
      const [id = 0] = spun.ok ? String(spun.value ?? '0').split(',').map(Number) : [0];
      const call = this.calls.get(id);
      if (id && call) {
        this.calls.delete(id);
        const message = `${call.fn} was still running at its deadline (limit ${this.limits.callTimeoutMs} ms) and was interrupted`;
        this.emit({ t: 'done', id, ok: false, kind: 'timeout', json: JSON.stringify({ name: 'TimeoutError', message, stack: '' }) });
      }
      r = this.enterGuest('handleTask', 'resume', [this.sched.yieldAt(), this.sched.callsPerTurn]);
    }
    if (r.ok) {
      if (r.value && this.batch) this.batch.index = Number(r.value);
      else this.batch = null;
      return;
    }
    const batch = this.batch;
    this.batch = null;
    if (this.dead || !batch) return;
    for (let i = 0, n = callCount(batch.msg); i < n; i++) {
      const id = callIdAt(batch.msg, i);
      if (this.calls.delete(id)) this.emit({ t: 'done', id, ok: false, kind: r.kind, json: JSON.stringify({ name: 'Error', message: r.message, stack: '' }) });
    }
  }

  /** @param {{ code: string, modules?: Record<string, string>, meta: unknown, callTimeoutMs: number }} msg */
  load(msg) {
    const { ctx, rt, raw } = /** @type {Booted} */ (this.b);
    this.limits.callTimeoutMs = msg.callTimeoutMs;
    this.modules = msg.modules ?? {};
    const metaHandle = ctx.newString(JSON.stringify(msg.meta));
    // 12 KB on every load: made through the raw path (TextEncoder), not the wrapper's JS loop (~130 µs).
    const extrasHandle = ctx.memory.heapValueHandle(raw.newString(EXTRAS_SOURCE));
    this.dispatcher = ctx.unwrapResult(ctx.callFunction(this.preludeFn, ctx.undefined, metaHandle, extrasHandle));
    metaHandle.dispose();
    extrasHandle.dispose();
    this.preludeFn.dispose();
    this.methods = Object.fromEntries(['load', 'callBatch', 'callRun', 'callOne', 'resume', 'interrupted', 'drain', 'settle', 'deliver', 'fire'].map((m) => [m, ctx.getProp(this.dispatcher, m)]));
    const loadBound = Date.now() + msg.callTimeoutMs;
    this.bound(loadBound);
    const res = ctx.evalCode(msg.code, 'agent.js', { type: 'module' });
    this.checkOverrun();
    if (res.error) {
      const err = ctx.dump(res.error);
      res.error.dispose();
      return this.loadFailed(err);
    }
    const ns = res.value;
    // Top-level await: the namespace comes as a promise.
    if (ctx.getPromiseState(ns).type === 'pending') {
      this.bound(loadBound);
      rt.executePendingJobs();
      this.checkOverrun();
    }
    const settled = ctx.getPromiseState(ns);
    if (settled.type === 'rejected') {
      const err = ctx.dump(settled.error);
      settled.error.dispose();
      ns.dispose();
      return this.loadFailed(err);
    }
    if (settled.type === 'pending') {
      ns.dispose();
      return this.loadFailed({ name: 'Error', message: 'top-level await did not settle while loading' });
    }
    const nsValue = settled.value;
    const r = this.enterGuest('load', 'load', [nsValue]);
    if (nsValue.alive) nsValue.dispose();
    if (nsValue !== ns && ns.alive) ns.dispose();
    if (!r.ok) return this.loadFailed({ name: 'Error', message: r.message });
    const info = JSON.parse(r.value ?? '{}');
    if (info.error) return this.loadFailed({ name: 'Error', message: info.error });
    this.emit({ t: 'loaded', exports: info.exports });
  }

  /** @param {any} err */
  loadFailed(err) {
    const message = err && typeof err === 'object' ? `${err.name ?? 'Error'}: ${err.message}` : String(err);
    if (this.b?.flag.exhausted || /out of memory/.test(message)) return this.fatal('out_of_memory', `the agent ran out of memory while loading (limit ${this.limits.memoryMb} MB)`);
    if (/interrupted/.test(message)) {
      return this.emit({ t: 'load_failed', message: `loading took longer than ${this.limits.callTimeoutMs} ms`, kind: 'timeout' });
    }
    const where = /agent\.js:(\d+):(\d+)/.exec(String(err?.stack ?? ''));
    const line = where ? Number(where[1]) : typeof err?.lineNumber === 'number' ? err.lineNumber : undefined;
    const column = where ? Number(where[2]) : undefined;
    this.emit({ t: 'load_failed', message, line, column, kind: 'bad_code' });
  }
}
