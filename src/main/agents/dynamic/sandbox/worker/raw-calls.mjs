// @ts-check
/**
 * The engine's hot path without quickjs-emscripten's handle layer: calls into the guest's
 * dispatcher, strings in and out, and the promise job queue, made straight on the module's C
 * functions (QTS_*) with raw JSValue pointers.
 *
 * Why: every task is three entries into the engine (start the calls, run their promise jobs, read
 * the results out). Through `ctx.callFunction` / `newString` / `getString` / `executePendingJobs`
 * each entry costs 3–6 µs of wrapper work (Lifetime objects, typed-array views made per call, a
 * malloc'd argument array) around a C call of ~0.2 µs: most of a serial turn was the wrapper.
 *
 * Nothing about what the guest can do changes: these are the same C entry points the wrapper calls
 * (the same interrupt handler bounds every stretch, the same memory backs the engine), on values
 * the worker made itself. Every pointer made here is freed here; an exception comes back as a
 * handle of the wrapper's (cold path: `ctx.dump` reads it), which the caller disposes.
 *
 * Tied to quickjs-emscripten-core's internals (`ctx.ffi`, `ctx.module`, `ctx.ctx`, `ctx.memory`):
 * the version is pinned, and the sandbox tests exercise every function here.
 */

const UTF8 = new TextEncoder();
/** Strings up to this many UTF-16 units get a worst-case buffer (no length pass). */
const SHORT_STRING = 64 * 1024;

export class RawCalls {
  /** @param {any} ctx a QuickJSContext @param {any} rt its QuickJSRuntime */
  constructor(ctx, rt) {
    this.ctx = ctx;
    /** @type {any} */
    this.ffi = ctx.ffi;
    /** @type {any} */
    this.mod = ctx.module;
    /** @type {number} */
    this.ctxPtr = ctx.ctx.value;
    /** @type {number} */
    this.rtPtr = rt.rt.value;
    // Scratch words in the engine's heap: up to 4 call arguments, and the job queue's context out-pointer.
    /** @type {number} */
    this.argv = this.mod._malloc(4 * 4);
    /** @type {number} */
    this.jobCtx = this.mod._malloc(4);
    if (!this.argv || !this.jobCtx) throw new Error('the engine has no memory for its call arguments');
    /** @type {Int32Array} */
    this.words = new Int32Array(0);
  }

  /** The engine's heap as 32-bit words (a new view after the memory grew: the old buffer is detached). */
  heap32() {
    const buffer = this.mod.HEAPU8.buffer;
    if (this.words.buffer !== buffer) this.words = new Int32Array(buffer);
    return this.words;
  }

  /**
   * `fn.call(thisVal, ...args)` with numbers and strings made into guest values for the call (a
   * wrapper handle is passed as is: its owner disposes it). Returns the result as a string when
   * `wantString`, else undefined; an exception as `{ error }` (a wrapper handle to dispose).
   * @param {any} fn @param {any} thisVal @param {(number | string | { value: number })[]} args @param {boolean} wantString
   * @returns {{ value: string | undefined, error?: undefined } | { error: any, value?: undefined }}
   */
  call(fn, thisVal, args, wantString) {
    const { ffi, ctxPtr } = this;
    const n = args.length;
    if (n > 4) throw new Error('too many arguments for a raw call');
    /** @type {number[]} */
    const made = [];
    try {
      /** @type {number[]} */
      const ptrs = [];
      for (let i = 0; i < n; i++) {
        const a = args[i];
        if (typeof a === 'number') made.push(ptrs[i] = ffi.QTS_NewFloat64(ctxPtr, a));
        else if (typeof a === 'string') made.push(ptrs[i] = this.newString(a));
        else ptrs[i] = a.value;
      }
      // After the values are made (a malloc may grow the memory and detach an older view).
      const words = this.heap32();
      for (let i = 0; i < n; i++) words[(this.argv >> 2) + i] = /** @type {number} */ (ptrs[i]);
      const result = ffi.QTS_Call(ctxPtr, fn.value, thisVal.value, n, this.argv);
      const errPtr = ffi.QTS_ResolveException(ctxPtr, result);
      if (errPtr) {
        ffi.QTS_FreeValuePointer(ctxPtr, result);
        return { error: this.ctx.memory.heapValueHandle(errPtr) };
      }
      const value = wantString ? this.getString(result) : undefined;
      ffi.QTS_FreeValuePointer(ctxPtr, result);
      return { value };
    } finally {
      for (const p of made) ffi.QTS_FreeValuePointer(ctxPtr, p);
    }
  }

  /** A guest string from `s` (a JSValue pointer the caller frees). @param {string} s */
  newString(s) {
    const { mod } = this;
    // Encoded natively (TextEncoder) rather than by emscripten's JS loop. Up to 3 bytes per UTF-16
    // unit; a long string is measured first, so a big payload never asks the agent's capped memory
    // for more than it needs.
    const size = s.length <= SHORT_STRING ? s.length * 3 + 1 : mod.lengthBytesUTF8(s) + 1;
    const buf = mod._malloc(size);
    if (!buf) throw new RangeError('out of memory');
    try {
      const heap = mod.HEAPU8;
      const { written } = UTF8.encodeInto(s, heap.subarray(buf, buf + size - 1));
      heap[buf + written] = 0;
      return this.ffi.QTS_NewString(this.ctxPtr, buf);
    } finally {
      mod._free(buf);
    }
  }

  /** @param {number} valuePtr */
  getString(valuePtr) {
    const cstr = this.ffi.QTS_GetString(this.ctxPtr, valuePtr);
    try {
      return this.mod.UTF8ToString(cstr);
    } finally {
      this.ffi.QTS_FreeCString(this.ctxPtr, cstr);
    }
  }

  hasPendingJob() {
    return this.ffi.QTS_IsJobPending(this.rtPtr) !== 0;
  }

  /**
   * Runs up to `max` promise jobs. Returns undefined, or the exception a job ended with (a wrapper
   * handle to dispose: the interrupt, out of memory).
   * @param {number} max
   */
  executePendingJobs(max) {
    const { ffi, mod, rtPtr } = this;
    this.heap32()[this.jobCtx >> 2] = 0;
    const valuePtr = ffi.QTS_ExecutePendingJob(rtPtr, max, this.jobCtx);
    // Jobs may have grown the memory: read through a fresh view.
    const jobCtx = this.heap32()[this.jobCtx >> 2];
    if (jobCtx === 0) {
      ffi.QTS_FreeValuePointerRuntime(rtPtr, valuePtr);
      return undefined;
    }
    // A count of jobs run (a number) or the exception that stopped them (never a number: the
    // interrupt and out-of-memory are errors; a job's own throw becomes a promise rejection).
    const typePtr = ffi.QTS_Typeof(this.ctxPtr, valuePtr);
    const type = mod.UTF8ToString(typePtr);
    mod._free(typePtr);
    if (type === 'number') {
      ffi.QTS_FreeValuePointer(this.ctxPtr, valuePtr);
      return undefined;
    }
    return this.ctx.memory.heapValueHandle(valuePtr);
  }
}
